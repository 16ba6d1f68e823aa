using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Gatehouse.Server.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class UsersAndGrants : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "grant_id",
                table: "access_tokens",
                type: "character varying(43)",
                maxLength: 43,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "authorization_codes",
                columns: table => new
                {
                    hash = table.Column<string>(type: "character varying(43)", maxLength: 43, nullable: false),
                    client_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    redirect_uri = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    code_challenge = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    subject = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    session_id = table.Column<string>(type: "character varying(43)", maxLength: 43, nullable: false),
                    scope = table.Column<string>(type: "text", nullable: false),
                    nonce = table.Column<string>(type: "text", nullable: true),
                    auth_time = table.Column<long>(type: "bigint", nullable: false),
                    amr = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    grant_id = table.Column<string>(type: "character varying(43)", maxLength: 43, nullable: false),
                    created_at = table.Column<long>(type: "bigint", nullable: false),
                    expires_at = table.Column<long>(type: "bigint", nullable: false),
                    redeemed_at = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_authorization_codes", x => x.hash);
                });

            migrationBuilder.CreateTable(
                name: "pushed_authorization_requests",
                columns: table => new
                {
                    hash = table.Column<string>(type: "character varying(43)", maxLength: 43, nullable: false),
                    client_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    parameters = table.Column<string>(type: "text", nullable: false),
                    expires_at = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_pushed_authorization_requests", x => x.hash);
                });

            migrationBuilder.CreateTable(
                name: "refresh_tokens",
                columns: table => new
                {
                    hash = table.Column<string>(type: "character varying(43)", maxLength: 43, nullable: false),
                    grant_id = table.Column<string>(type: "character varying(43)", maxLength: 43, nullable: false),
                    client_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    subject = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    session_id = table.Column<string>(type: "character varying(43)", maxLength: 43, nullable: false),
                    scope = table.Column<string>(type: "text", nullable: false),
                    auth_time = table.Column<long>(type: "bigint", nullable: false),
                    amr = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    issued_at = table.Column<long>(type: "bigint", nullable: false),
                    expires_at = table.Column<long>(type: "bigint", nullable: false),
                    rotated_at = table.Column<long>(type: "bigint", nullable: true),
                    revoked_at = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_refresh_tokens", x => x.hash);
                });

            migrationBuilder.CreateTable(
                name: "user_consents",
                columns: table => new
                {
                    subject = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    client_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    scopes = table.Column<string>(type: "text", nullable: false),
                    granted_at = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_user_consents", x => new { x.subject, x.client_id });
                });

            migrationBuilder.CreateTable(
                name: "user_sessions",
                columns: table => new
                {
                    hash = table.Column<string>(type: "character varying(43)", maxLength: 43, nullable: false),
                    session_id = table.Column<string>(type: "character varying(43)", maxLength: 43, nullable: false),
                    subject = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    auth_time = table.Column<long>(type: "bigint", nullable: false),
                    amr = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    expires_at = table.Column<long>(type: "bigint", nullable: false),
                    ended_at = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_user_sessions", x => x.hash);
                });

            migrationBuilder.CreateTable(
                name: "users",
                columns: table => new
                {
                    subject = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    username = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    normalized_username = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    password_hash = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    claims = table.Column<string>(type: "text", nullable: false),
                    protected_totp_secret = table.Column<byte[]>(type: "bytea", nullable: true),
                    last_totp_step = table.Column<long>(type: "bigint", nullable: true),
                    enabled = table.Column<bool>(type: "boolean", nullable: false),
                    failed_sign_ins = table.Column<int>(type: "integer", nullable: false),
                    locked_until = table.Column<long>(type: "bigint", nullable: true),
                    created_at = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_users", x => x.subject);
                });

            migrationBuilder.CreateIndex(
                name: "ix_access_tokens_grant_id",
                table: "access_tokens",
                column: "grant_id");

            migrationBuilder.CreateIndex(
                name: "ix_authorization_codes_expires_at",
                table: "authorization_codes",
                column: "expires_at");

            migrationBuilder.CreateIndex(
                name: "ix_pushed_authorization_requests_expires_at",
                table: "pushed_authorization_requests",
                column: "expires_at");

            migrationBuilder.CreateIndex(
                name: "ix_refresh_tokens_expires_at",
                table: "refresh_tokens",
                column: "expires_at");

            migrationBuilder.CreateIndex(
                name: "ix_refresh_tokens_grant_id",
                table: "refresh_tokens",
                column: "grant_id");

            migrationBuilder.CreateIndex(
                name: "ix_refresh_tokens_session_id",
                table: "refresh_tokens",
                column: "session_id");

            migrationBuilder.CreateIndex(
                name: "ix_user_sessions_expires_at",
                table: "user_sessions",
                column: "expires_at");

            migrationBuilder.CreateIndex(
                name: "ix_user_sessions_subject",
                table: "user_sessions",
                column: "subject");

            migrationBuilder.CreateIndex(
                name: "ux_user_sessions_session_id",
                table: "user_sessions",
                column: "session_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ux_users_normalized_username",
                table: "users",
                column: "normalized_username",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "authorization_codes");

            migrationBuilder.DropTable(
                name: "pushed_authorization_requests");

            migrationBuilder.DropTable(
                name: "refresh_tokens");

            migrationBuilder.DropTable(
                name: "user_consents");

            migrationBuilder.DropTable(
                name: "user_sessions");

            migrationBuilder.DropTable(
                name: "users");

            migrationBuilder.DropIndex(
                name: "ix_access_tokens_grant_id",
                table: "access_tokens");

            migrationBuilder.DropColumn(
                name: "grant_id",
                table: "access_tokens");
        }
    }
}
