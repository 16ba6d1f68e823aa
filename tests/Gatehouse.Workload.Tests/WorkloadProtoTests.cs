using Gatehouse.Workload.Api.Proto;
using Google.Protobuf.Reflection;

namespace Gatehouse.Workload.Tests;

/// <summary>The proto stays wire-compatible with go-spiffe's workload.proto: no package, same service, names and numbers.</summary>
public class WorkloadProtoTests
{
    [Fact]
    public void NoPackage_ServicePathIsSpiffeWorkloadAPI()
    {
        Assert.Equal("", WorkloadReflection.Descriptor.Package);
        Assert.Equal("SpiffeWorkloadAPI", SpiffeWorkloadAPI.Descriptor.FullName);
        Assert.Equal(["FetchJWTBundles", "FetchJWTSVID", "FetchX509Bundles", "FetchX509SVID", "ValidateJWTSVID"],
            SpiffeWorkloadAPI.Descriptor.Methods.Select(m => m.Name).Order());
    }

    public static TheoryData<string, string, int, FieldType> Fields => new()
    {
        { "X509SVIDResponse", "svids", 1, FieldType.Message },
        { "X509SVIDResponse", "crl", 2, FieldType.Bytes },
        { "X509SVIDResponse", "federated_bundles", 3, FieldType.Message },
        { "X509SVID", "spiffe_id", 1, FieldType.String },
        { "X509SVID", "x509_svid", 2, FieldType.Bytes },
        { "X509SVID", "x509_svid_key", 3, FieldType.Bytes },
        { "X509SVID", "bundle", 4, FieldType.Bytes },
        { "X509SVID", "hint", 5, FieldType.String },
        { "X509BundlesResponse", "crl", 1, FieldType.Bytes },
        { "X509BundlesResponse", "bundles", 2, FieldType.Message },
        { "JWTSVIDRequest", "audience", 1, FieldType.String },
        { "JWTSVIDRequest", "spiffe_id", 2, FieldType.String },
        { "JWTSVIDResponse", "svids", 1, FieldType.Message },
        { "JWTSVID", "spiffe_id", 1, FieldType.String },
        { "JWTSVID", "svid", 2, FieldType.String },
        { "JWTSVID", "hint", 3, FieldType.String },
        { "JWTBundlesResponse", "bundles", 1, FieldType.Message },
        { "ValidateJWTSVIDRequest", "audience", 1, FieldType.String },
        { "ValidateJWTSVIDRequest", "svid", 2, FieldType.String },
        { "ValidateJWTSVIDResponse", "spiffe_id", 1, FieldType.String },
        { "ValidateJWTSVIDResponse", "claims", 2, FieldType.Message },
    };

    [Theory]
    [MemberData(nameof(Fields))]
    public void Field_NameNumberAndType(string message, string field, int number, FieldType type)
    {
        var descriptor = WorkloadReflection.Descriptor.FindTypeByName<MessageDescriptor>(message).FindFieldByName(field);

        Assert.Equal(number, descriptor.FieldNumber);
        Assert.Equal(type, descriptor.FieldType);
    }
}
