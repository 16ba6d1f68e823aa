using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Gatehouse.Server.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class WorkloadIdentities : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "workload_authorities",
                columns: table => new
                {
                    id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    trust_domain = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    kind = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    state = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    public_data = table.Column<byte[]>(type: "bytea", nullable: false),
                    protected_private_key = table.Column<byte[]>(type: "bytea", nullable: false),
                    not_before = table.Column<long>(type: "bigint", nullable: false),
                    not_after = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_workload_authorities", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "workload_cas",
                columns: table => new
                {
                    trust_domain = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    revision = table.Column<long>(type: "bigint", nullable: false),
                    bundle_sequence = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_workload_cas", x => x.trust_domain);
                });

            migrationBuilder.CreateTable(
                name: "workload_entries",
                columns: table => new
                {
                    id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    spiffe_id = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: false),
                    selectors = table.Column<string[]>(type: "text[]", nullable: false),
                    dns_names = table.Column<string[]>(type: "text[]", nullable: false),
                    x509_svid_ttl = table.Column<int>(type: "integer", nullable: true),
                    jwt_svid_ttl = table.Column<int>(type: "integer", nullable: true),
                    created_at = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_workload_entries", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "workload_join_tokens",
                columns: table => new
                {
                    hash = table.Column<string>(type: "character varying(43)", maxLength: 43, nullable: false),
                    id = table.Column<string>(type: "character varying(43)", maxLength: 43, nullable: true),
                    created_at = table.Column<long>(type: "bigint", nullable: false),
                    expires_at = table.Column<long>(type: "bigint", nullable: false),
                    used_at = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_workload_join_tokens", x => x.hash);
                });

            migrationBuilder.CreateIndex(
                name: "ix_workload_authorities_trust_domain",
                table: "workload_authorities",
                column: "trust_domain");

            migrationBuilder.CreateIndex(
                name: "ux_workload_join_tokens_id",
                table: "workload_join_tokens",
                column: "id",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "workload_authorities");

            migrationBuilder.DropTable(
                name: "workload_cas");

            migrationBuilder.DropTable(
                name: "workload_entries");

            migrationBuilder.DropTable(
                name: "workload_join_tokens");
        }
    }
}
