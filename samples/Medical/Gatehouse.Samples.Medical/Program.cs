using Gatehouse.Samples.Medical;

MedicalApi.Build(WebApplication.CreateBuilder(args)).Run();

public partial class Program;
