-- =============================================================================
-- 0001_orleans_clustering.sql
--
-- HuaduDispatch: PostgreSQL schema for Orleans cluster membership, used by
-- Microsoft.Orleans.Clustering.AdoNet 10.4.2 with Invariant = "Npgsql".
--
-- Written by the HuaduDispatch team for this repository (not copied from the
-- Orleans project). It implements the query contract the provider reads at
-- start-up from the table OrleansQuery (QueryKey, QueryText).
--
-- This file also creates the OrleansQuery table itself; 0002 and 0003 insert
-- their own rows into it.
--
-- Query keys provided (all required by the 10.4.2 provider, except the last):
--   InsertMembershipVersionKey       (@DeploymentId)                     -> one bool column
--   MembershipReadAllKey             (@DeploymentId)                     -> version row + member rows
--   MembershipReadRowKey             (@DeploymentId, @Address, @Port, @Generation)
--   InsertMembershipKey              (@DeploymentId, @Address, @Port, @Generation, @SiloName,
--                                     @HostName, @Status, @ProxyPort, @StartTime, @IAmAliveTime,
--                                     @Version)                          -> one bool column
--   UpdateMembershipKey              (@DeploymentId, @Address, @Port, @Generation, @Status,
--                                     @SuspectTimes, @IAmAliveTime, @Version) -> one bool column
--   UpdateIAmAlivetimeKey            (@DeploymentId, @Address, @Port, @Generation, @IAmAliveTime)
--   GatewaysQueryKey                 (@DeploymentId, @Status)            -> Address, ProxyPort, Generation
--   DeleteMembershipTableEntriesKey  (@DeploymentId)
--   CleanupDefunctSiloEntriesKey     (@DeploymentId, @IAmAliveTime)
--   CleanupDefunctSiloEntryKey       (optional in 10.4.2; when present the provider uses it
--                                     instead of CleanupDefunctSiloEntriesKey, once per Dead row:
--                                     @DeploymentId, @Address, @Port, @Generation, @StartTime,
--                                     @IAmAliveTime, @SuspectTimes)
--
-- Contract notes (verified against the 10.4.2 assemblies):
--   * Version/ETag: one integer version per cluster (DeploymentId = ClusterId).
--     Every membership row's ETag is the table version. Insert/Update receive
--     the version the caller read in @Version (int4); the write succeeds only if
--     the stored version still equals it, and then bumps it by one. A failed
--     check is signalled by returning FALSE (never an error), and must leave
--     no change behind.
--   * The heartbeat (UpdateIAmAlivetimeKey) must NOT change the version.
--   * Reads return the version row LEFT JOINed to the members: with no members
--     there is still exactly one row whose StartTime is NULL.
--   * Timestamps arrive as UTC DateTime bound as timestamptz; the provider
--     reads them back with GetDateTime and marks them UTC, so the columns are
--     timestamptz.
--   * HostName, SiloName, ProxyPort, Status are read without NULL checks, so
--     they are NOT NULL here.
--   * SuspectTimes is a provider-formatted string ("silo,date|silo,date").
--
-- Every query text starts with /* orleans:<QueryKey> */ so the running
-- provider query can be recognised in pg_stat_activity and server logs.
--
-- Safe to run more than once (IF NOT EXISTS / OR REPLACE / ON CONFLICT).
-- No psql meta-commands; executable as one multi-statement Npgsql command.
-- =============================================================================

-- -----------------------------------------------------------------------------
-- Query catalogue shared by all Orleans ADO.NET providers. The providers run
-- the literal text "SELECT QueryKey, QueryText FROM OrleansQuery", which
-- PostgreSQL folds to lower case, so the unquoted name is used here too.
-- -----------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  varchar(64) NOT NULL,
    QueryText text        NOT NULL,
    CONSTRAINT orleansquery_pkey PRIMARY KEY (QueryKey)
);

-- -----------------------------------------------------------------------------
-- Tables
-- -----------------------------------------------------------------------------

-- One row per cluster (Orleans passes ClusterId as @DeploymentId).
CREATE TABLE IF NOT EXISTS cluster_membership_version
(
    deployment_id varchar(150) NOT NULL,
    version       integer      NOT NULL DEFAULT 0,
    created_at    timestamptz  NOT NULL DEFAULT now(),
    updated_at    timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT cluster_membership_version_pkey PRIMARY KEY (deployment_id)
);

-- One row per silo incarnation (address + port + generation).
CREATE TABLE IF NOT EXISTS cluster_membership
(
    deployment_id   varchar(150) NOT NULL,
    address         varchar(45)  NOT NULL,
    port            integer      NOT NULL,
    generation      integer      NOT NULL,
    silo_name       varchar(150) NOT NULL,
    host_name       varchar(150) NOT NULL,
    status          integer      NOT NULL,
    proxy_port      integer      NOT NULL DEFAULT 0,
    suspect_times   text         NULL,
    start_time      timestamptz  NOT NULL,
    i_am_alive_time timestamptz  NOT NULL,
    CONSTRAINT cluster_membership_pkey PRIMARY KEY (deployment_id, address, port, generation),
    CONSTRAINT cluster_membership_version_fkey FOREIGN KEY (deployment_id)
        REFERENCES cluster_membership_version (deployment_id) ON DELETE CASCADE
);

-- -----------------------------------------------------------------------------
-- Functions (conditional writes). Each returns TRUE on success, FALSE when the
-- caller's table version is stale or the target row is missing/duplicated;
-- a FALSE result never leaves a version bump behind.
-- -----------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION cluster_membership_try_insert(
    p_deployment_id   text,
    p_address         text,
    p_port            integer,
    p_generation      integer,
    p_silo_name       text,
    p_host_name       text,
    p_status          integer,
    p_proxy_port      integer,
    p_start_time      timestamptz,
    p_i_am_alive_time timestamptz,
    p_expected_version integer)
RETURNS boolean
LANGUAGE plpgsql
AS $fn$
BEGIN
    -- The inner block is a sub-transaction: a duplicate member row undoes the
    -- version bump made just before it.
    BEGIN
        UPDATE cluster_membership_version
           SET version    = version + 1,
               updated_at = now()
         WHERE deployment_id = p_deployment_id
           AND version = p_expected_version;

        IF NOT FOUND THEN
            RETURN false;
        END IF;

        INSERT INTO cluster_membership
            (deployment_id, address, port, generation, silo_name, host_name,
             status, proxy_port, suspect_times, start_time, i_am_alive_time)
        VALUES
            (p_deployment_id, p_address, p_port, p_generation,
             COALESCE(p_silo_name, ''), COALESCE(p_host_name, ''),
             p_status, COALESCE(p_proxy_port, 0), NULL, p_start_time, p_i_am_alive_time);

        RETURN true;
    EXCEPTION
        WHEN unique_violation THEN
            RETURN false;
    END;
END;
$fn$;

CREATE OR REPLACE FUNCTION cluster_membership_try_update(
    p_deployment_id   text,
    p_address         text,
    p_port            integer,
    p_generation      integer,
    p_status          integer,
    p_suspect_times   text,
    p_i_am_alive_time timestamptz,
    p_expected_version integer)
RETURNS boolean
LANGUAGE plpgsql
AS $fn$
BEGIN
    BEGIN
        UPDATE cluster_membership_version
           SET version    = version + 1,
               updated_at = now()
         WHERE deployment_id = p_deployment_id
           AND version = p_expected_version;

        IF NOT FOUND THEN
            RETURN false;
        END IF;

        UPDATE cluster_membership
           SET status          = p_status,
               suspect_times   = p_suspect_times,
               i_am_alive_time = p_i_am_alive_time
         WHERE deployment_id = p_deployment_id
           AND address = p_address
           AND port = p_port
           AND generation = p_generation;

        IF NOT FOUND THEN
            -- Undo the version bump: raising inside the block rolls it back.
            RAISE EXCEPTION USING ERRCODE = 'no_data_found';
        END IF;

        RETURN true;
    EXCEPTION
        WHEN no_data_found THEN
            RETURN false;
    END;
END;
$fn$;

-- Operator view: membership with readable status names.
CREATE OR REPLACE VIEW cluster_membership_readable AS
SELECT m.deployment_id                       AS cluster_id,
       m.address || ':' || m.port || '@' || m.generation AS silo,
       m.silo_name,
       m.host_name,
       m.status,
       CASE m.status
           WHEN 0 THEN 'None'
           WHEN 1 THEN 'Created'
           WHEN 2 THEN 'Joining'
           WHEN 3 THEN 'Active'
           WHEN 4 THEN 'ShuttingDown'
           WHEN 5 THEN 'Stopping'
           WHEN 6 THEN 'Dead'
           ELSE 'Unknown(' || m.status || ')'
       END                                   AS status_name,
       m.proxy_port                          AS gateway_port,
       m.start_time,
       m.i_am_alive_time,
       m.suspect_times,
       v.version                             AS table_version
  FROM cluster_membership m
  JOIN cluster_membership_version v ON v.deployment_id = m.deployment_id;

-- -----------------------------------------------------------------------------
-- Provider queries
-- -----------------------------------------------------------------------------
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
(
    'InsertMembershipVersionKey',
    $q$
    /* orleans:InsertMembershipVersionKey */
    WITH inserted AS (
        INSERT INTO cluster_membership_version (deployment_id, version)
        VALUES (@DeploymentId, 0)
        ON CONFLICT (deployment_id) DO NOTHING
        RETURNING 1
    )
    SELECT EXISTS (SELECT 1 FROM inserted) AS "Inserted";
    $q$
),
(
    'MembershipReadAllKey',
    $q$
    /* orleans:MembershipReadAllKey */
    SELECT v.deployment_id   AS "DeploymentId",
           m.address         AS "Address",
           m.port            AS "Port",
           m.generation      AS "Generation",
           m.silo_name       AS "SiloName",
           m.host_name       AS "HostName",
           m.status          AS "Status",
           m.proxy_port      AS "ProxyPort",
           m.suspect_times   AS "SuspectTimes",
           m.start_time      AS "StartTime",
           m.i_am_alive_time AS "IAmAliveTime",
           v.version         AS "Version"
      FROM cluster_membership_version v
      LEFT JOIN cluster_membership m
             ON m.deployment_id = v.deployment_id
     WHERE v.deployment_id = @DeploymentId;
    $q$
),
(
    'MembershipReadRowKey',
    $q$
    /* orleans:MembershipReadRowKey */
    SELECT v.deployment_id   AS "DeploymentId",
           m.address         AS "Address",
           m.port            AS "Port",
           m.generation      AS "Generation",
           m.silo_name       AS "SiloName",
           m.host_name       AS "HostName",
           m.status          AS "Status",
           m.proxy_port      AS "ProxyPort",
           m.suspect_times   AS "SuspectTimes",
           m.start_time      AS "StartTime",
           m.i_am_alive_time AS "IAmAliveTime",
           v.version         AS "Version"
      FROM cluster_membership_version v
      LEFT JOIN cluster_membership m
             ON m.deployment_id = v.deployment_id
            AND m.address = @Address
            AND m.port = @Port
            AND m.generation = @Generation
     WHERE v.deployment_id = @DeploymentId;
    $q$
),
(
    'InsertMembershipKey',
    $q$
    /* orleans:InsertMembershipKey */
    SELECT cluster_membership_try_insert(
               @DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName,
               @Status, @ProxyPort, @StartTime, @IAmAliveTime, @Version) AS "Succeeded";
    $q$
),
(
    'UpdateMembershipKey',
    $q$
    /* orleans:UpdateMembershipKey */
    SELECT cluster_membership_try_update(
               @DeploymentId, @Address, @Port, @Generation, @Status,
               @SuspectTimes, @IAmAliveTime, @Version) AS "Succeeded";
    $q$
),
(
    'UpdateIAmAlivetimeKey',
    $q$
    /* orleans:UpdateIAmAlivetimeKey */
    UPDATE cluster_membership
       SET i_am_alive_time = @IAmAliveTime
     WHERE deployment_id = @DeploymentId
       AND address = @Address
       AND port = @Port
       AND generation = @Generation;
    $q$
),
(
    'GatewaysQueryKey',
    $q$
    /* orleans:GatewaysQueryKey */
    SELECT address    AS "Address",
           proxy_port AS "ProxyPort",
           generation AS "Generation"
      FROM cluster_membership
     WHERE deployment_id = @DeploymentId
       AND status = @Status
       AND proxy_port > 0;
    $q$
),
(
    'DeleteMembershipTableEntriesKey',
    $q$
    /* orleans:DeleteMembershipTableEntriesKey */
    DELETE FROM cluster_membership WHERE deployment_id = @DeploymentId;
    DELETE FROM cluster_membership_version WHERE deployment_id = @DeploymentId;
    $q$
),
(
    'CleanupDefunctSiloEntriesKey',
    $q$
    /* orleans:CleanupDefunctSiloEntriesKey */
    DELETE FROM cluster_membership
     WHERE deployment_id = @DeploymentId
       AND status = 6
       AND i_am_alive_time < @IAmAliveTime
       AND start_time < @IAmAliveTime
       AND COALESCE(suspect_times, '') = '';
    $q$
),
(
    'CleanupDefunctSiloEntryKey',
    $q$
    /* orleans:CleanupDefunctSiloEntryKey */
    DELETE FROM cluster_membership
     WHERE deployment_id = @DeploymentId
       AND address = @Address
       AND port = @Port
       AND generation = @Generation
       AND status = 6
       AND start_time = @StartTime
       AND i_am_alive_time = @IAmAliveTime
       AND COALESCE(suspect_times, '') = COALESCE(@SuspectTimes, '');
    $q$
)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
