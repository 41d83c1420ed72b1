import MonologStorage
import NIOCore

/// Users: SCRAM credentials (for SASL and HTTP basic auth) and HTTP bearer-token digests. The writer
/// stores what the caller computed; nothing here sees a password.
extension LogStore {
    public func upsertScramCredential(user: String, _ credential: StoredScramCredential) throws(StorageError) {
        try self.flushPartitionStates()
        try storageOperation {
            try self.db.statement(
                """
                INSERT INTO scram_credentials (user_name, mechanism, salt, iterations, stored_key, server_key)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                ON CONFLICT DO UPDATE SET salt = excluded.salt, iterations = excluded.iterations,
                    stored_key = excluded.stored_key, server_key = excluded.server_key
                """
            )
            .bind(1, user).bind(2, credential.mechanism).bind(3, ByteBuffer(bytes: credential.salt))
            .bind(4, credential.iterations).bind(5, ByteBuffer(bytes: credential.storedKey)).bind(6, ByteBuffer(bytes: credential.serverKey))
            .run()
        }
    }

    /// Deletes one mechanism's credential; false when there was none.
    public func deleteScramCredential(user: String, mechanism: String) throws(StorageError) -> Bool {
        try self.flushPartitionStates()
        return try storageOperation {
            try self.db.statement("DELETE FROM scram_credentials WHERE user_name = ?1 AND mechanism = ?2").bind(1, user).bind(2, mechanism).run()
            return self.db.changes > 0
        }
    }

    /// Sets (or replaces) the digest of the user's bearer token.
    public func setUserToken(user: String, tokenSHA256: [UInt8]) throws(StorageError) {
        try self.flushPartitionStates()
        try storageOperation {
            try self.db.statement(
                "INSERT INTO user_tokens (user_name, token_sha256) VALUES (?1, ?2) ON CONFLICT DO UPDATE SET token_sha256 = excluded.token_sha256"
            )
            .bind(1, user).bind(2, ByteBuffer(bytes: tokenSHA256)).run()
        }
    }

    /// Deletes every credential and the token of a user; false when there was nothing to delete.
    public func deleteUser(_ user: String) throws(StorageError) -> Bool {
        try self.flushPartitionStates()
        return try storageOperation {
            try self.db.statement("DELETE FROM scram_credentials WHERE user_name = ?1").bind(1, user).run()
            var deleted = self.db.changes
            try self.db.statement("DELETE FROM user_tokens WHERE user_name = ?1").bind(1, user).run()
            deleted += self.db.changes
            return deleted > 0
        }
    }
}
