import MonologStorage

/// Stores (or replaces) a user's SCRAM credential for one mechanism; the caller derived it.
public struct UpsertScramCredential: WriterCommand {
    public static let kind: UInt8 = 0x60
    public typealias Reply = UsersChanged
    public var user = ""
    public var credential = StoredScramCredential()

    public init() {}
    public init(user: String, credential: StoredScramCredential) {
        self.user = user
        self.credential = credential
    }

    public static let fields: [WireField<Self>] = [.init("user", \.user), .init("credential", \.credential)]
}

/// Deletes a user's credential for one mechanism (`changed` false when there was none).
public struct DeleteScramCredential: WriterCommand {
    public static let kind: UInt8 = 0x61
    public typealias Reply = UsersChanged
    public var user = ""
    public var mechanism = ""

    public init() {}
    public init(user: String, mechanism: String) {
        self.user = user
        self.mechanism = mechanism
    }

    public static let fields: [WireField<Self>] = [.init("user", \.user), .init("mechanism", \.mechanism)]
}

/// Sets the SHA-256 of the user's HTTP bearer token.
public struct SetUserToken: WriterCommand {
    public static let kind: UInt8 = 0x62
    public typealias Reply = UsersChanged
    public var user = ""
    public var tokenSHA256: [UInt8] = []

    public init() {}
    public init(user: String, tokenSHA256: [UInt8]) {
        self.user = user
        self.tokenSHA256 = tokenSHA256
    }

    public static let fields: [WireField<Self>] = [.init("user", \.user), .init("token digest", \.tokenSHA256)]
}

/// Deletes a user's credentials and token.
public struct DeleteUser: WriterCommand {
    public static let kind: UInt8 = 0x63
    public typealias Reply = UsersChanged
    public var user = ""

    public init() {}
    public init(user: String) { self.user = user }

    public static let fields: [WireField<Self>] = [.init("user", \.user)]
}

/// A user change was applied; false when a deletion found nothing to delete.
public struct UsersChanged: WireMessage {
    public var changed = false
    public init() {}
    public init(changed: Bool) { self.changed = changed }
    public static let fields: [WireField<Self>] = [.init("changed", \.changed)]
}

extension StoredScramCredential: WireMessage {
    public init() {
        self.init(mechanism: "", salt: [], iterations: 0, storedKey: [], serverKey: [])
    }

    public static let fields: [WireField<Self>] = [
        .init("mechanism", \.mechanism), .init("salt", \.salt), .init("iterations", \.iterations), .init("stored key", \.storedKey),
        .init("server key", \.serverKey),
    ]
}
