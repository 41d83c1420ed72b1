extension SQLiteConnection {
    /// SQLite's own check of the whole file: "ok", or one line per problem found. Read-only, so any
    /// process may run it (tests after a crash, a backup or restore checking its copy).
    public func integrityCheck() throws(SQLiteError) -> String {
        let statement = try self.statement("PRAGMA integrity_check")
        defer { statement.reset() }
        var lines: [String] = []
        while try statement.step() { lines.append(statement.string(at: 0) ?? "") }
        return lines.joined(separator: "\n")
    }
}
