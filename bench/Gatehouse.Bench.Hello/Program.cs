// A plain Kestrel "hello" endpoint: the ceiling that bench/run compares Gatehouse against.
// Built like Gatehouse (slim builder, quiet logging), so the difference is the token service's own work.
// Usage: dotnet gatehouse-bench-hello.dll --urls http://127.0.0.1:PORT
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var app = builder.Build();
app.MapGet("/", () => "hello");
app.Run();
