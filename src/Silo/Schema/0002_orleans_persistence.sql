-- =============================================================================
-- 0002_orleans_persistence.sql
--
-- HuaduDispatch: PostgreSQL schema for Orleans grain state, used by
-- Microsoft.Orleans.Persistence.AdoNet 10.4.2 with Invariant = "Npgsql".
--
-- Written by the HuaduDispatch team for this repository (not copied from the
-- Orleans project). Requires the OrleansQuery table created by 0001.
--
-- Query keys provided:
--   ReadFromStorageKey   -> zero or one row: "PayloadBinary" (bytea, NULL after a clear),
--                           "Version" (int, NULL-able)
--   WriteToStorageKey    -> exactly one row: "NewGrainStateVersion" (int; NULL = conflict)
--   ClearStorageKey      -> exactly one row, first column = new version (NULL = conflict)
--   DeleteStorageKey     -> optional key, only used with AdoNetGrainStorageOptions
--                           .DeleteStateOnClear = true; first column as for ClearStorageKey
--
-- Parameters the provider binds (all four keys; @PayloadBinary only on write,
-- @GrainStateVersion not on read):
--   @ServiceId (text), @GrainTypeString (text: the *state name* given to
--   [PersistentState("name")], not the grain class), @GrainIdN0 / @GrainIdN1
--   (int8: Guid halves, or 0 / long key, or 0 / 0 for string keys),
--   @GrainIdExtensionString (text or NULL: key extension, or the whole string
--   key), @GrainIdHash / @GrainTypeHash (int4, unused here),
--   @GrainStateVersion (int4 or NULL = the grain's ETag), @PayloadBinary (bytea).
--
-- Row identity is (service, state name, N0, N1, extension). The grain class is
-- NOT part of it (the provider never sends it): two grain classes that use
-- the same state name and the same key share one row, so every grain type
-- must use its own state name. String keys live in grain_id_ext, which is in
-- the primary key (btree entries are limited to roughly 2.7 kB).
--
-- Optimistic concurrency: the ETag is the integer "version". A write/clear
-- whose @GrainStateVersion does not match the stored version must return a
-- NULL version; the provider then throws InconsistentStateException. A write
-- with a NULL @GrainStateVersion is a first insert and conflicts when the row
-- already exists.
--
-- Payloads are the bytes produced by the configured IGrainStorageSerializer
-- (HuaduDispatch: UTF-8 JSON). They are stored as bytea; the view
-- grain_state_readable shows them as jsonb for operators.
--
-- Every query text starts with /* orleans:<QueryKey> */ so the running
-- provider query can be recognised in pg_stat_activity and server logs.
--
-- Safe to run more than once (IF NOT EXISTS / OR REPLACE / ON CONFLICT).
-- No psql meta-commands; executable as one multi-statement Npgsql command.
-- =============================================================================

CREATE TABLE IF NOT EXISTS grain_state
(
    service_id    varchar(150) NOT NULL,
    state_name    varchar(512) NOT NULL,
    grain_id_n0   bigint       NOT NULL,
    grain_id_n1   bigint       NOT NULL,
    -- '' when the grain id has no string part (NULL from the provider).
    grain_id_ext  text         NOT NULL DEFAULT '',
    payload       bytea        NULL,
    version       integer      NOT NULL,
    created_at    timestamptz  NOT NULL DEFAULT now(),
    modified_at   timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT grain_state_pkey
        PRIMARY KEY (service_id, state_name, grain_id_n0, grain_id_n1, grain_id_ext)
);

-- Next version after v, wrapping before int4 overflow (an ETag only has to change).
CREATE OR REPLACE FUNCTION grain_state_next_version(v integer)
RETURNS integer
LANGUAGE sql
IMMUTABLE
AS $fn$
    SELECT CASE WHEN v >= 2147483647 THEN 1 ELSE v + 1 END;
$fn$;

-- Insert (expected version NULL) or compare-and-swap update.
-- Returns the new version, or NULL when the expected version does not match.
CREATE OR REPLACE FUNCTION grain_state_write(
    p_service_id       text,
    p_state_name       text,
    p_grain_id_n0      bigint,
    p_grain_id_n1      bigint,
    p_grain_id_ext     text,
    p_expected_version integer,
    p_payload          bytea)
RETURNS integer
LANGUAGE plpgsql
AS $fn$
DECLARE
    v_new integer;
BEGIN
    IF p_expected_version IS NULL THEN
        INSERT INTO grain_state
            (service_id, state_name, grain_id_n0, grain_id_n1, grain_id_ext, payload, version)
        VALUES
            (p_service_id, p_state_name, p_grain_id_n0, p_grain_id_n1,
             COALESCE(p_grain_id_ext, ''), p_payload, 1)
        ON CONFLICT ON CONSTRAINT grain_state_pkey DO NOTHING
        RETURNING version INTO v_new;
    ELSE
        UPDATE grain_state
           SET payload     = p_payload,
               version     = grain_state_next_version(version),
               modified_at = now()
         WHERE service_id   = p_service_id
           AND state_name   = p_state_name
           AND grain_id_n0  = p_grain_id_n0
           AND grain_id_n1  = p_grain_id_n1
           AND grain_id_ext = COALESCE(p_grain_id_ext, '')
           AND version      = p_expected_version
        RETURNING version INTO v_new;
    END IF;

    RETURN v_new;
END;
$fn$;

-- Clear: keep the row, drop the payload, bump the version.
-- Returns the new version, or NULL when the expected version does not match.
CREATE OR REPLACE FUNCTION grain_state_clear(
    p_service_id       text,
    p_state_name       text,
    p_grain_id_n0      bigint,
    p_grain_id_n1      bigint,
    p_grain_id_ext     text,
    p_expected_version integer)
RETURNS integer
LANGUAGE plpgsql
AS $fn$
DECLARE
    v_new integer;
BEGIN
    UPDATE grain_state
       SET payload     = NULL,
           version     = grain_state_next_version(version),
           modified_at = now()
     WHERE service_id   = p_service_id
       AND state_name   = p_state_name
       AND grain_id_n0  = p_grain_id_n0
       AND grain_id_n1  = p_grain_id_n1
       AND grain_id_ext = COALESCE(p_grain_id_ext, '')
       AND version      = p_expected_version
    RETURNING version INTO v_new;

    RETURN v_new;
END;
$fn$;

-- Delete (DeleteStateOnClear = true): remove the row.
-- Returns the version the row would have had next (any non-NULL value that
-- differs from the ETag means success), or NULL on a version mismatch.
CREATE OR REPLACE FUNCTION grain_state_delete(
    p_service_id       text,
    p_state_name       text,
    p_grain_id_n0      bigint,
    p_grain_id_n1      bigint,
    p_grain_id_ext     text,
    p_expected_version integer)
RETURNS integer
LANGUAGE plpgsql
AS $fn$
DECLARE
    v_old integer;
BEGIN
    DELETE FROM grain_state
     WHERE service_id   = p_service_id
       AND state_name   = p_state_name
       AND grain_id_n0  = p_grain_id_n0
       AND grain_id_n1  = p_grain_id_n1
       AND grain_id_ext = COALESCE(p_grain_id_ext, '')
       AND version      = p_expected_version
    RETURNING version INTO v_old;

    IF v_old IS NULL THEN
        RETURN NULL;
    END IF;
    RETURN grain_state_next_version(v_old);
END;
$fn$;

-- -----------------------------------------------------------------------------
-- Operator helpers
-- -----------------------------------------------------------------------------

-- Payload as jsonb, or NULL when it is not UTF-8 JSON (so the view never fails).
CREATE OR REPLACE FUNCTION grain_state_payload_json(p_payload bytea)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
AS $fn$
BEGIN
    IF p_payload IS NULL THEN
        RETURN NULL;
    END IF;
    RETURN convert_from(p_payload, 'UTF8')::jsonb;
EXCEPTION
    WHEN OTHERS THEN
        RETURN NULL;
END;
$fn$;

-- Rebuilds the canonical Guid text from the two int8 halves Orleans stores
-- (the halves are the little-endian bytes of Guid.ToByteArray()).
CREATE OR REPLACE FUNCTION grain_state_guid_text(n0 bigint, n1 bigint)
RETURNS text
LANGUAGE sql
IMMUTABLE
AS $fn$
    SELECT lpad(to_hex(n0 & 4294967295), 8, '0') || '-' ||
           lpad(to_hex((n0 >> 32) & 65535), 4, '0') || '-' ||
           lpad(to_hex((n0 >> 48) & 65535), 4, '0') || '-' ||
           lpad(to_hex(n1 & 255), 2, '0') ||
           lpad(to_hex((n1 >> 8) & 255), 2, '0') || '-' ||
           lpad(to_hex((n1 >> 16) & 255), 2, '0') ||
           lpad(to_hex((n1 >> 24) & 255), 2, '0') ||
           lpad(to_hex((n1 >> 32) & 255), 2, '0') ||
           lpad(to_hex((n1 >> 40) & 255), 2, '0') ||
           lpad(to_hex((n1 >> 48) & 255), 2, '0') ||
           lpad(to_hex((n1 >> 56) & 255), 2, '0');
$fn$;

-- Operator view. "state_name" is what Orleans calls the grain type in this
-- provider (the [PersistentState] name). grain_key is a best-effort rendering:
-- the provider does not store which kind of key a grain had.
CREATE OR REPLACE VIEW grain_state_readable AS
SELECT service_id,
       state_name                                        AS grain_type,
       CASE
           WHEN grain_id_n0 = 0 AND grain_id_n1 = 0 AND grain_id_ext <> ''
               THEN grain_id_ext
           WHEN grain_id_n0 = 0
               THEN grain_id_n1::text || CASE WHEN grain_id_ext <> '' THEN '+' || grain_id_ext ELSE '' END
           ELSE grain_state_guid_text(grain_id_n0, grain_id_n1)
                || CASE WHEN grain_id_ext <> '' THEN '+' || grain_id_ext ELSE '' END
       END                                               AS grain_id,
       version,
       modified_at,
       payload IS NULL                                   AS is_cleared,
       octet_length(payload)                             AS payload_bytes,
       grain_state_payload_json(payload)                 AS payload
  FROM grain_state;

-- -----------------------------------------------------------------------------
-- Provider queries
-- -----------------------------------------------------------------------------
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
(
    'ReadFromStorageKey',
    $q$
    /* orleans:ReadFromStorageKey */
    SELECT payload AS "PayloadBinary",
           version AS "Version"
      FROM grain_state
     WHERE service_id   = @ServiceId
       AND state_name   = @GrainTypeString
       AND grain_id_n0  = @GrainIdN0
       AND grain_id_n1  = @GrainIdN1
       AND grain_id_ext = COALESCE(@GrainIdExtensionString, '');
    $q$
),
(
    'WriteToStorageKey',
    $q$
    /* orleans:WriteToStorageKey */
    SELECT grain_state_write(
               @ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1,
               @GrainIdExtensionString, @GrainStateVersion, @PayloadBinary) AS "NewGrainStateVersion";
    $q$
),
(
    'ClearStorageKey',
    $q$
    /* orleans:ClearStorageKey */
    SELECT grain_state_clear(
               @ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1,
               @GrainIdExtensionString, @GrainStateVersion) AS "NewGrainStateVersion";
    $q$
),
(
    'DeleteStorageKey',
    $q$
    /* orleans:DeleteStorageKey */
    SELECT grain_state_delete(
               @ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1,
               @GrainIdExtensionString, @GrainStateVersion) AS "NewGrainStateVersion";
    $q$
)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
