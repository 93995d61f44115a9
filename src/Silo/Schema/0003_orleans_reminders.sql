-- =============================================================================
-- 0003_orleans_reminders.sql
--
-- HuaduDispatch: PostgreSQL schema for Orleans reminders, used by
-- Microsoft.Orleans.Reminders.AdoNet 10.4.2 with Invariant = "Npgsql".
--
-- Written by the HuaduDispatch team for this repository (not copied from the
-- Orleans project). Requires the OrleansQuery table created by 0001.
--
-- Query keys provided (all required by the 10.4.2 provider):
--   UpsertReminderRowKey   (@ServiceId, @GrainId, @ReminderName, @GrainHash,
--                           @StartTime, @Period)            -> one row: "Version"
--   ReadReminderRowsKey    (@ServiceId, @GrainId)             -> reminder rows
--   ReadReminderRowKey     (@ServiceId, @GrainId, @ReminderName) -> zero or one row
--   ReadRangeRows1Key      (@ServiceId, @BeginHash, @EndHash) -> rows with
--                           BeginHash < GrainHash <= EndHash
--   ReadRangeRows2Key      (@ServiceId, @BeginHash, @EndHash) -> rows with
--                           GrainHash > BeginHash OR GrainHash <= EndHash
--   DeleteReminderRowKey   (@ServiceId, @GrainId, @ReminderName, @Version)
--                                                             -> one bool column
--   DeleteReminderRowsKey  (@ServiceId)
--
-- Reminder rows are read back by column name: "GrainId" (text, parsed with
-- GrainId.Parse), "ReminderName", "StartTime" (timestamptz, treated as UTC),
-- "Period" (milliseconds; int4 or int8 accepted), "Version" (int = ETag).
--
-- Contract notes (verified against the 10.4.2 assemblies):
--   * Hashes arrive as int4: the provider casts the uint ring hashes with
--     unchecked((int)hash), and picks ReadRangeRows1Key when
--     (int)begin < (int)end, otherwise ReadRangeRows2Key (wrapping range).
--     Comparing in signed int order therefore selects the correct ring range.
--   * @Period is int4 when it fits, else int8; stored as bigint milliseconds.
--   * Deleting with a stale @Version returns FALSE.
--
-- Every query text starts with /* orleans:<QueryKey> */ so the running
-- provider query can be recognised in pg_stat_activity and server logs.
--
-- Safe to run more than once (IF NOT EXISTS / OR REPLACE / ON CONFLICT).
-- No psql meta-commands; executable as one multi-statement Npgsql command.
-- =============================================================================

CREATE TABLE IF NOT EXISTS reminder
(
    service_id    varchar(150) NOT NULL,
    grain_id      varchar(512) NOT NULL,
    reminder_name varchar(150) NOT NULL,
    grain_hash    integer      NOT NULL,
    start_time    timestamptz  NOT NULL,
    period_ms     bigint       NOT NULL,
    version       integer      NOT NULL DEFAULT 0,
    modified_at   timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT reminder_pkey PRIMARY KEY (service_id, grain_id, reminder_name)
);

-- Range reads by the reminder service (each silo owns a slice of the hash ring).
CREATE INDEX IF NOT EXISTS reminder_service_hash_idx
    ON reminder (service_id, grain_hash);

-- Operator view.
CREATE OR REPLACE VIEW reminder_readable AS
SELECT service_id,
       grain_id,
       reminder_name,
       start_time,
       make_interval(secs => period_ms / 1000.0) AS period,
       version,
       modified_at
  FROM reminder;

-- -----------------------------------------------------------------------------
-- Provider queries
-- -----------------------------------------------------------------------------
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
(
    'UpsertReminderRowKey',
    $q$
    /* orleans:UpsertReminderRowKey */
    INSERT INTO reminder AS r
        (service_id, grain_id, reminder_name, grain_hash, start_time, period_ms, version)
    VALUES
        (@ServiceId, @GrainId, @ReminderName, @GrainHash, @StartTime, @Period, 0)
    ON CONFLICT ON CONSTRAINT reminder_pkey DO UPDATE
       SET grain_hash  = EXCLUDED.grain_hash,
           start_time  = EXCLUDED.start_time,
           period_ms   = EXCLUDED.period_ms,
           version     = CASE WHEN r.version >= 2147483647 THEN 1 ELSE r.version + 1 END,
           modified_at = now()
    RETURNING r.version AS "Version";
    $q$
),
(
    'ReadReminderRowsKey',
    $q$
    /* orleans:ReadReminderRowsKey */
    SELECT grain_id      AS "GrainId",
           reminder_name AS "ReminderName",
           start_time    AS "StartTime",
           period_ms     AS "Period",
           version       AS "Version"
      FROM reminder
     WHERE service_id = @ServiceId
       AND grain_id = @GrainId;
    $q$
),
(
    'ReadReminderRowKey',
    $q$
    /* orleans:ReadReminderRowKey */
    SELECT grain_id      AS "GrainId",
           reminder_name AS "ReminderName",
           start_time    AS "StartTime",
           period_ms     AS "Period",
           version       AS "Version"
      FROM reminder
     WHERE service_id = @ServiceId
       AND grain_id = @GrainId
       AND reminder_name = @ReminderName;
    $q$
),
(
    'ReadRangeRows1Key',
    $q$
    /* orleans:ReadRangeRows1Key */
    SELECT grain_id      AS "GrainId",
           reminder_name AS "ReminderName",
           start_time    AS "StartTime",
           period_ms     AS "Period",
           version       AS "Version"
      FROM reminder
     WHERE service_id = @ServiceId
       AND grain_hash > @BeginHash
       AND grain_hash <= @EndHash;
    $q$
),
(
    'ReadRangeRows2Key',
    $q$
    /* orleans:ReadRangeRows2Key */
    SELECT grain_id      AS "GrainId",
           reminder_name AS "ReminderName",
           start_time    AS "StartTime",
           period_ms     AS "Period",
           version       AS "Version"
      FROM reminder
     WHERE service_id = @ServiceId
       AND (grain_hash > @BeginHash OR grain_hash <= @EndHash);
    $q$
),
(
    'DeleteReminderRowKey',
    $q$
    /* orleans:DeleteReminderRowKey */
    WITH deleted AS (
        DELETE FROM reminder
         WHERE service_id = @ServiceId
           AND grain_id = @GrainId
           AND reminder_name = @ReminderName
           AND version = @Version
        RETURNING 1
    )
    SELECT EXISTS (SELECT 1 FROM deleted) AS "Deleted";
    $q$
),
(
    'DeleteReminderRowsKey',
    $q$
    /* orleans:DeleteReminderRowsKey */
    DELETE FROM reminder WHERE service_id = @ServiceId;
    $q$
)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
