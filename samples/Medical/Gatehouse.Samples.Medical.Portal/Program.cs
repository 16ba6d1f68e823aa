using Gatehouse.Samples.Medical.Portal;

MedicalPortal.Build(WebApplication.CreateBuilder(args)).Run();
