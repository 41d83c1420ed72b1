import NIOCore

/// Users as the gateways read them: a SCRAM credential to check a proof or a password, the user a
/// bearer token belongs to, and the list `users list` and DescribeUserScramCredentials show.
extension StorageReader {
    public struct UserSummary: Hashable, Sendable {
        public var name: String
        /// Mechanism name → iterations.
        public var mechanisms: [String: Int32]
        public var hasToken: Bool
    }

    public func scramCredential(user: String, mechanism: String) throws(SQLiteError) -> StoredScramCredential? {
        let statement = try self.db.statement(
            "SELECT salt, iterations, stored_key, server_key FROM scram_credentials WHERE user_name = ?1 AND mechanism = ?2"
        )
        defer { statement.reset() }
        statement.bind(1, user).bind(2, mechanism)
        guard try statement.step() else { return nil }
        let allocator = ByteBufferAllocator()
        return StoredScramCredential(
            mechanism: mechanism,
            salt: Array(statement.buffer(at: 0, allocator: allocator).readableBytesView),
            iterations: statement.int32(at: 1),
            storedKey: Array(statement.buffer(at: 2, allocator: allocator).readableBytesView),
            serverKey: Array(statement.buffer(at: 3, allocator: allocator).readableBytesView)
        )
    }

    /// The user whose bearer token has this SHA-256, if any.
    public func user(forTokenSHA256 digest: [UInt8]) throws(SQLiteError) -> String? {
        let statement = try self.db.statement("SELECT user_name FROM user_tokens WHERE token_sha256 = ?1")
        defer { statement.reset() }
        statement.bind(1, ByteBuffer(bytes: digest))
        return try statement.step() ? statement.string(at: 0) : nil
    }

    /// Every user with a credential or a token, by name.
    public func users() throws(SQLiteError) -> [UserSummary] {
        var users: [String: UserSummary] = [:]
        let credentials = try self.db.statement("SELECT user_name, mechanism, iterations FROM scram_credentials")
        defer { credentials.reset() }
        while try credentials.step() {
            let name = credentials.string(at: 0) ?? ""
            users[name, default: UserSummary(name: name, mechanisms: [:], hasToken: false)].mechanisms[credentials.string(at: 1) ?? ""] = credentials.int32(
                at: 2)
        }
        let tokens = try self.db.statement("SELECT user_name FROM user_tokens")
        defer { tokens.reset() }
        while try tokens.step() {
            let name = tokens.string(at: 0) ?? ""
            users[name, default: UserSummary(name: name, mechanisms: [:], hasToken: false)].hasToken = true
        }
        return users.values.sorted { $0.name < $1.name }
    }
}
