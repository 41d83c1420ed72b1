import ArgumentParser
import Foundation
import MonologConfig
import MonologKafkaClient
import UnixSignals

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Copy topics, committed records and consumer groups' positions to a Kafka cluster.",
        discussion: """
            Reads this data directory's database (the broker may keep running) and writes to the target \
            through the Kafka protocol only, so the target may be Apache Kafka, Redpanda or another \
            Monolog. Topics are created with the same partition count and configs; committed records \
            are copied in order with keys, values, headers and timestamps (never markers or aborted \
            transactions); each group's committed offsets are translated to the target's offsets and \
            committed there. An interrupted run resumes where the target ends. With --follow it keeps \
            copying until SIGINT or SIGTERM, then makes a final pass: stop the consumers on the source \
            first, so that the positions it commits last are their final ones (docs/MIGRATION.md).
            """
    )

    @Option(name: .customLong("to"), help: ArgumentHelp("The target's bootstrap servers, HOST:PORT[,HOST:PORT...]", valueName: "bootstrap"))
    var bootstrap: String

    @Flag(help: "Keep copying new records and positions until stopped (SIGINT or SIGTERM), printing the lag.")
    var follow = false

    @Option(name: .customLong("topic"), help: "A topic to migrate (repeatable). Default: every topic.")
    var topics: [String] = []

    @Option(help: ArgumentHelp("The offset maps of this migration. Default: <data-dir>/migrations/<target>.jsonl", valueName: "file"))
    var state: String?

    @Option(help: ArgumentHelp("Copy at most this many records a second. Default: as fast as the target takes them.", valueName: "records"))
    var rate: Int?

    @Option(name: .customLong("replication-factor"), help: "Replication factor of topics created on the target; -1 takes the target's default.")
    var replicationFactor: Int16 = -1

    @Option(name: .customLong("target-security-protocol"), help: "PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL.")
    var securityProtocol = "PLAINTEXT"

    @Option(name: .customLong("target-ca-file"), help: "PEM certificates that sign the target's (SSL, SASL_SSL). Default: the system's.")
    var caFile: String?

    @Option(name: .customLong("target-sasl-mechanism"), help: "PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512.")
    var saslMechanism = "SCRAM-SHA-512"

    @Option(name: .customLong("target-sasl-username"), help: "SASL user on the target.")
    var saslUsername: String?

    @Option(
        name: .customLong("target-sasl-password"),
        help: "SASL password on the target; better in the environment as MONOLOG_MIGRATE_SASL_PASSWORD, where other users cannot see it.")
    var saslPassword: String?

    @OptionGroup var options: CommonOptions

    func run() async throws {
        let config = try resolveOrExit(self.options)
        let plan: Migration.Plan
        do {
            plan = Migration.Plan(
                dataDirectory: config.dataDirectory,
                target: try self.targetSettings(),
                statePath: self.state ?? Self.defaultStatePath(dataDirectory: config.dataDirectory, bootstrap: self.bootstrap),
                topics: self.topics,
                follow: self.follow,
                recordsPerSecond: self.rate,
                replicationFactor: self.replicationFactor
            )
        } catch {
            FileHandle.standardError.write(Data("migrate: \(error)\n".utf8))
            throw ExitCode(2)
        }
        MigrationProgress.say(
            "migrating \(config.dataDirectory) to \(self.bootstrap)\(self.follow ? ", following until stopped" : "") (state: \(plan.statePath))")
        let stopRequested = StopRequest()
        let signals = Task {
            var received = 0
            for await signal in await UnixSignalsSequence(trapping: .sigterm, .sigint) {
                received += 1
                // A one-shot run stops at once, and so does a following one at a second signal: the
                // state file is consistent at every moment, and the next run resumes from it.
                guard self.follow, received == 1 else {
                    FileHandle.standardError.write(Data("\n\(signal): stopped; run migrate again to resume\n".utf8))
                    Foundation.exit(130)
                }
                MigrationProgress.say("\n\(signal): finishing with a final pass (signal again to stop at once)")
                stopRequested.request()
            }
        }
        defer { signals.cancel() }
        do {
            try await Migration(plan: plan).run(stopRequested: stopRequested)
        } catch {
            FileHandle.standardError.write(Data("migrate failed: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }

    private func targetSettings() throws -> KafkaClientSettings {
        let addresses = self.bootstrap.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
        let parsed = addresses.compactMap(KafkaBrokerAddress.init(parsing:))
        guard !parsed.isEmpty, parsed.count == addresses.count else { throw MigrationError("--to \(self.bootstrap): expected HOST:PORT[,HOST:PORT...]") }
        let protocolName = self.securityProtocol.uppercased()
        guard ["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"].contains(protocolName) else {
            throw MigrationError("--target-security-protocol \(self.securityProtocol): expected PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL")
        }
        var settings = KafkaClientSettings(bootstrap: parsed, clientID: "monolog-migrate")
        if protocolName.hasSuffix("SSL") { settings.tls = KafkaClientTLS(caFile: self.caFile) }
        if protocolName.hasPrefix("SASL") {
            guard let mechanism = KafkaSASLMechanism(rawValue: self.saslMechanism.uppercased()) else {
                throw MigrationError("--target-sasl-mechanism \(self.saslMechanism): expected PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512")
            }
            guard let username = self.saslUsername, let password = self.saslPassword ?? ProcessInfo.processInfo.environment["MONOLOG_MIGRATE_SASL_PASSWORD"]
            else {
                throw MigrationError("\(protocolName) needs --target-sasl-username and a password (MONOLOG_MIGRATE_SASL_PASSWORD)")
            }
            settings.sasl = KafkaClientSASL(mechanism: mechanism, username: username, password: password)
        }
        return settings
    }

    /// One state file per target, named after its bootstrap servers.
    static func defaultStatePath(dataDirectory: String, bootstrap: String) -> String {
        let name = String(bootstrap.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" ? $0 : "_" })
        return dataDirectory + "/migrations/" + name + ".jsonl"
    }
}
