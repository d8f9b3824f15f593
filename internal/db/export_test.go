package db

// MigrationLockID is the migrations' advisory lock, for the test that holds it as a replica would.
const MigrationLockID = migrationLockID
