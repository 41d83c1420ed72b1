import ArgumentParser
import Foundation
import Logging
import MonologConfig
import MonologProcess
import MonologSecurity
import MonologStorage
import MonologWriterClient
import MonologWriterProtocol

/// `monolog-supervisor users add|remove|list`: the users SASL (PLAIN, SCRAM-SHA-256/512) and HTTP
/// authentication accept. Changes go through the running storage writer, like every write; the list
/// reads the database.
struct UsersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users",
        abstract: "Add, remove and list the users SASL and HTTP authentication accept.",
        discussion: """
            A user has SCRAM-SHA-256 and SCRAM-SHA-512 credentials (salted; the password is not stored), \
            which also check PLAIN and HTTP basic passwords, and an HTTP bearer token (only its SHA-256 \
            is stored). `add` and `remove` need the broker running (they write through the storage \
            writer); Kafka clients can also manage credentials with AlterUserScramCredentials.
            """,
        subcommands: [AddUser.self, RemoveUser.self, ListUsers.self]
    )
}

/// The running writer for these options, or a clear message and exit 1.
private func writerClient(_ options: CommonOptions) async throws -> WriterClient {
    let config = try resolveOrExit(options)
    let path = DataDirectory(path: config.dataDirectory).writerSocketPath
    guard await WriterProbe.answersHandshake(socketPath: path, clientName: "users-command") else {
        FileHandle.standardError.write(
            Data("the storage writer is not running for this data directory (nothing answers on \(path)); start monolog-supervisor first\n".utf8))
        throw ExitCode(1)
    }
    var logger = Logger(label: "monolog.users")
    logger.logLevel = .warning
    return WriterClient(socketPath: path, clientName: "users-command", connectTimeout: .seconds(2), logger: logger)
}

struct AddUser: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Create a user, or replace its password and token; prints the new HTTP bearer token once."
    )

    @Argument(help: "The user name.")
    var name: String

    @Option(help: "The password (visible to other local users in the process list; prefer --password-stdin).")
    var password: String?

    @Flag(help: "Read the password from the first line of standard input.")
    var passwordStdin = false

    @Option(help: "PBKDF2 iterations of the SCRAM credentials, from 4096 to 16384.")
    var iterations: Int = ScramMechanism.defaultIterations

    @OptionGroup var options: CommonOptions

    func validate() throws {
        guard !self.name.isEmpty, !self.name.contains(":") else {
            throw ValidationError("a user name is not empty and has no ':' (HTTP basic auth splits there)")
        }
        guard (self.password != nil) != self.passwordStdin else { throw ValidationError("give --password or --password-stdin (one of them)") }
        guard ScramMechanism.iterationRange.contains(self.iterations) else { throw ValidationError("--iterations must be from 4096 to 16384") }
    }

    func run() async throws {
        let password = self.passwordStdin ? (readLine(strippingNewline: true) ?? "") : (self.password ?? "")
        guard !password.isEmpty else { throw ValidationError("the password is empty") }
        let writer = try await writerClient(self.options)
        defer { writer.shutdown() }
        let token = ApiToken.generate()
        for mechanism in ScramMechanism.allCases {
            let credential = ScramCredential(mechanism: mechanism, password: password, iterations: self.iterations)
            _ = try await writer.send(UpsertScramCredential(user: self.name, credential: credential.stored))
        }
        _ = try await writer.send(SetUserToken(user: self.name, tokenSHA256: ApiToken.digest(token)))
        print("user \(self.name): SCRAM-SHA-256 and SCRAM-SHA-512 (\(self.iterations) iterations), also for PLAIN and HTTP basic auth")
        print("HTTP bearer token (shown only now): \(token)")
    }
}

struct RemoveUser: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Delete a user's credentials and token.")

    @Argument(help: "The user name.")
    var name: String

    @OptionGroup var options: CommonOptions

    func run() async throws {
        let writer = try await writerClient(self.options)
        defer { writer.shutdown() }
        guard try await writer.send(DeleteUser(user: self.name)).changed else {
            FileHandle.standardError.write(Data("no user '\(self.name)'\n".utf8))
            throw ExitCode(1)
        }
        print("user \(self.name) removed")
    }
}

struct ListUsers: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List users with their SCRAM mechanisms and whether they have a token.")

    @OptionGroup var options: CommonOptions

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func run() throws {
        let config = try resolveOrExit(self.options)
        let directory = DataDirectory(path: config.dataDirectory)
        guard FileManager.default.fileExists(atPath: directory.databasePath) else {
            FileHandle.standardError.write(Data("no database at \(directory.databasePath)\n".utf8))
            throw ExitCode(1)
        }
        let users = try StorageReader(directory: directory).users()
        if self.json {
            let entries = users.map { ["name": $0.name, "mechanisms": $0.mechanisms.keys.sorted(), "token": $0.hasToken] as [String: Any] }
            let data = try JSONSerialization.data(withJSONObject: ["users": entries], options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        print("USER".padding(toLength: 24, withPad: " ", startingAt: 0) + "MECHANISMS".padding(toLength: 32, withPad: " ", startingAt: 0) + "TOKEN")
        for user in users {
            let mechanisms = user.mechanisms.keys.sorted().joined(separator: ",")
            print(
                user.name.padding(toLength: 24, withPad: " ", startingAt: 0) + mechanisms.padding(toLength: 32, withPad: " ", startingAt: 0)
                    + (user.hasToken ? "yes" : "no"))
        }
    }
}
