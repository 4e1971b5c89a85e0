-- Database roles for casework in production (docs/security.md). Run with scripts/db-roles.sh, as a PostgreSQL
-- superuser (or a role with CREATEROLE), with psql variables:
--   owner         the role that owns the schema and runs `manage.py migrate` (DATABASE_OWNER_URL)
--   app           the role the application connects as (DATABASE_URL): not a superuser, owns nothing
--   owner_password, app_password, dbname
-- Safe to run again; run the grants again after every `migrate` (scripts/db-roles.sh does both).

-- roles:begin
SELECT format('CREATE ROLE %I LOGIN', :'owner')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'owner') \gexec
SELECT format('CREATE ROLE %I LOGIN', :'app')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'app') \gexec
ALTER ROLE :"owner" WITH LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB NOREPLICATION NOBYPASSRLS PASSWORD :'owner_password';
ALTER ROLE :"app" WITH LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB NOREPLICATION NOBYPASSRLS NOINHERIT PASSWORD :'app_password';
-- The application role is never a member of the owner role (it would inherit ownership).
REVOKE :"owner" FROM :"app";
SELECT format('ALTER DATABASE %I OWNER TO %I', :'dbname', :'owner') \gexec
REVOKE ALL ON DATABASE :"dbname" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"dbname" TO :"app";
ALTER SCHEMA public OWNER TO :"owner";
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
-- roles:end

-- grants:begin
GRANT USAGE ON SCHEMA public TO :"app";
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"app";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO :"app";
-- The audit trail: the application may append and read, nothing else (the TRUNCATE trigger and the row trigger of
-- migrations core 0001/0002 refuse the rest even if a privilege is granted by mistake).
REVOKE ALL ON core_auditevent FROM :"app";
GRANT SELECT, INSERT ON core_auditevent TO :"app";
-- Its hash chain (issue 13, manage.py audit_verify): the same.
REVOKE ALL ON core_auditchainlink FROM :"app";
GRANT SELECT, INSERT ON core_auditchainlink TO :"app";
-- grants:end
