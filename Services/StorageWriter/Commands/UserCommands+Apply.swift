import MonologStorageEngine
import MonologWriterProtocol

extension UpsertScramCredential: StorageCommand {
    func apply(to store: LogStore, nowMs: Int64) throws(StorageError) -> Applied<Reply> {
        try store.upsertScramCredential(user: self.user, self.credential)
        return Applied(reply: UsersChanged(changed: true), usersChanged: true)
    }
}

extension DeleteScramCredential: StorageCommand {
    func apply(to store: LogStore, nowMs: Int64) throws(StorageError) -> Applied<Reply> {
        let changed = try store.deleteScramCredential(user: self.user, mechanism: self.mechanism)
        return Applied(reply: UsersChanged(changed: changed), usersChanged: changed)
    }
}

extension SetUserToken: StorageCommand {
    func apply(to store: LogStore, nowMs: Int64) throws(StorageError) -> Applied<Reply> {
        try store.setUserToken(user: self.user, tokenSHA256: self.tokenSHA256)
        return Applied(reply: UsersChanged(changed: true), usersChanged: true)
    }
}

extension DeleteUser: StorageCommand {
    func apply(to store: LogStore, nowMs: Int64) throws(StorageError) -> Applied<Reply> {
        let changed = try store.deleteUser(self.user)
        return Applied(reply: UsersChanged(changed: changed), usersChanged: changed)
    }
}
