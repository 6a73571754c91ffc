//! Which database failures are outages — the database or its disk cannot serve now, and
//! may again later — as opposed to bugs. Outages become 503s that name the database and
//! what is wrong with it; everything else stays a 500.

use std::fmt;

use super::DbError;

/// What is wrong with the database, in words an operator can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outage {
    /// The disk under the database is full.
    DiskFull,
    /// The database file or its file system is read-only.
    ReadOnly,
    /// The file system failed a read or write.
    Io,
    /// No connection to the database server (refused, dropped, timed out).
    Unreachable,
    /// The database server is starting, stopping or out of connections.
    Busy,
}

impl fmt::Display for Outage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Outage::DiskFull => "the disk is full",
            Outage::ReadOnly => "it is read-only",
            Outage::Io => "its disk failed a read or write",
            Outage::Unreachable => "it does not answer",
            Outage::Busy => "it is busy, starting or shutting down",
        })
    }
}

// SQLite's primary result codes (the low byte of an extended code).
const SQLITE_BUSY: u32 = 5;
const SQLITE_LOCKED: u32 = 6;
const SQLITE_READONLY: u32 = 8;
const SQLITE_IOERR: u32 = 10;
const SQLITE_FULL: u32 = 13;
const SQLITE_CANTOPEN: u32 = 14;

impl DbError {
    /// The outage this error shows, if it is one.
    pub fn outage(&self) -> Option<Outage> {
        match self {
            DbError::Other(e) => outage_of(e),
            _ => None,
        }
    }
}

fn outage_of(err: &sqlx::Error) -> Option<Outage> {
    match err {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::Protocol(_) => Some(Outage::Unreachable),
        sqlx::Error::Database(db) => {
            let code = db.code().unwrap_or_default();
            // SQLite reports numeric result codes, PostgreSQL five-character SQLSTATEs.
            match code.parse::<u32>() {
                Ok(n) if code.len() < 5 => sqlite_outage(n & 0xff),
                _ => postgres_outage(&code),
            }
        }
        _ => None,
    }
}

fn sqlite_outage(primary: u32) -> Option<Outage> {
    match primary {
        SQLITE_FULL => Some(Outage::DiskFull),
        SQLITE_READONLY => Some(Outage::ReadOnly),
        SQLITE_IOERR | SQLITE_CANTOPEN => Some(Outage::Io),
        SQLITE_BUSY | SQLITE_LOCKED => Some(Outage::Busy),
        _ => None,
    }
}

fn postgres_outage(sqlstate: &str) -> Option<Outage> {
    match sqlstate {
        // disk_full, out of memory, too many connections
        "53100" => Some(Outage::DiskFull),
        "53200" | "53300" => Some(Outage::Busy),
        // read_only_sql_transaction (a standby, or default_transaction_read_only)
        "25006" => Some(Outage::ReadOnly),
        // admin_shutdown, crash_shutdown, cannot_connect_now
        "57P01" | "57P02" | "57P03" => Some(Outage::Busy),
        "58030" => Some(Outage::Io),
        // connection_exception and its subclasses
        s if s.starts_with("08") => Some(Outage::Unreachable),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_codes_map_to_outages() {
        assert_eq!(sqlite_outage(13), Some(Outage::DiskFull));
        assert_eq!(sqlite_outage(778 & 0xff), Some(Outage::Io));
        assert_eq!(sqlite_outage(1032 & 0xff), Some(Outage::ReadOnly));
        assert_eq!(
            sqlite_outage(2067 & 0xff),
            None,
            "a unique violation is no outage"
        );
        assert_eq!(postgres_outage("57P01"), Some(Outage::Busy));
        assert_eq!(postgres_outage("08006"), Some(Outage::Unreachable));
        assert_eq!(postgres_outage("53100"), Some(Outage::DiskFull));
        assert_eq!(postgres_outage("23505"), None);
        let timed_out = DbError::Other(sqlx::Error::PoolTimedOut);
        assert_eq!(timed_out.outage(), Some(Outage::Unreachable));
        assert_eq!(DbError::NotFound.outage(), None);
    }
}
