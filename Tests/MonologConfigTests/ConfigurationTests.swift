import ArgumentParser
import Foundation
import Logging
import MonologConfig
import Testing

@Suite struct ConfigurationTests {
    func options(_ arguments: [String]) throws -> CommonOptions {
        try CommonOptions.parse(arguments)
    }

    func writeYAML(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "monolog-config-\(UUID().uuidString).yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func defaultsApplyWhenNothingIsSet() throws {
        let config = try self.options([]).resolve(environment: [:])
        #expect(config.dataDirectory == "./data")
        #expect(config.kafkaAddress == ListenAddress(host: "", port: 9092))
        #expect(config.httpAddress == ListenAddress(host: "", port: 8080))
        #expect(config.logLevel == .info)
        #expect(config.retention.maxAge == .seconds(86_400))
        #expect(config.retention.checkInterval == .seconds(60))
        #expect(config.retention.enabled)
    }

    @Test func flagBeatsEnvironmentBeatsFileBeatsDefault() throws {
        let file = try self.writeYAML(
            """
            data_dir: /from/file
            kafka_addr: ":1111"
            http_addr: ":2222"
            log_level: debug
            """
        )
        let environment = ["MONOLOG_KAFKA_ADDR": ":3333", "MONOLOG_HTTP_ADDR": "127.0.0.1:4444"]
        let config = try self.options(["--config", file, "--http-addr", ":5555"]).resolve(environment: environment)
        #expect(config.dataDirectory == "/from/file")  // file only
        #expect(config.kafkaAddress.port == 3333)  // environment over file
        #expect(config.httpAddress.port == 5555)  // flag over environment
        #expect(config.logLevel == .debug)
    }

    @Test func retentionSettingsComeFromTheFile() throws {
        let file = try self.writeYAML(
            """
            retention:
              enabled: false
              max_age: 90m
              check_interval: 500ms
            """
        )
        let config = try self.options(["--config", file]).resolve(environment: [:])
        #expect(config.retention == RetentionSettings(enabled: false, maxAge: .seconds(5400), checkInterval: .milliseconds(500)))
    }

    @Test func kafkaSettingsUseKafkasPropertyNamesInTheFile() throws {
        let file = try self.writeYAML(
            """
            kafka:
              auto.create.topics.enable: false
              num.partitions: 6
              group.initial.rebalance.delay.ms: 3000
            """
        )
        let config = try self.options(["--config", file]).resolve(environment: ["MONOLOG_NUM_PARTITIONS": "4"])
        #expect(config.kafka == KafkaSettings(autoCreateTopics: false, defaultPartitions: 4, groupInitialRebalanceDelayMs: 3000))
        #expect(MonologConfiguration.defaults.kafka == KafkaSettings(autoCreateTopics: true, defaultPartitions: 1, groupInitialRebalanceDelayMs: 0))
        let child = try CommonOptions.parse(config.commandLineArguments).resolve(environment: [:])
        #expect(child.kafka == config.kafka)
    }

    @Test(arguments: [
        (["--kafka-addr", "nonsense"], "kafka-addr"),
        (["--http-addr", ":99999"], "http-addr"),
        (["--log-level", "loud"], "log-level"),
        (["--auto-create-topics", "maybe"], "auto-create-topics"),
        (["--num-partitions", "0"], "num-partitions"),
        (["--group-initial-rebalance-delay-ms", "600000"], "group-initial-rebalance-delay-ms"),
    ])
    func aBadFlagIsNamedInTheError(_ arguments: [String], _ setting: String) throws {
        do {
            _ = try self.options(arguments).resolve(environment: [:])
            Issue.record("accepted \(arguments)")
        } catch let error as ConfigurationError {
            #expect(error.setting == setting)
            #expect(error.description.contains(arguments[1]))
        }
    }

    @Test func aBadEnvironmentValueNamesItsSource() throws {
        do {
            _ = try self.options([]).resolve(environment: ["MONOLOG_LOG_LEVEL": "chatty"])
            Issue.record("accepted a bad log level")
        } catch let error as ConfigurationError {
            #expect(error.source == "environment")
            #expect(error.setting == "log-level")
        }
    }

    @Test func unknownOrBadFileSettingsAreRefused() throws {
        for yaml in [
            "kafka_adr: ':1'", "kafka:\n  num.partitions: many", "kafka:\n  log.retention.ms: 5", "retention:\n  max_age: forever",
            "retention:\n  enabled: sometimes", "- a list",
        ] {
            let file = try self.writeYAML(yaml)
            #expect(throws: ConfigurationError.self, "\(yaml)") { try self.options(["--config", file]).resolve(environment: [:]) }
        }
    }

    @Test func aMissingConfigFileIsAnError() throws {
        #expect(throws: ConfigurationError.self) {
            try self.options(["--config", "/nonexistent/monolog.yaml"]).resolve(environment: [:])
        }
    }

    @Test func childArgumentsReproduceTheConfiguration() throws {
        let original = try self.options(["--data-dir", "/d", "--kafka-addr", "127.0.0.1:19092", "--log-level", "warning"])
            .resolve(environment: ["MONOLOG_HTTP_ADDR": "[::1]:18080"])
        let child = try CommonOptions.parse(original.commandLineArguments).resolve(environment: [:])
        #expect(child == original)
    }

    @Test(arguments: [
        ("500ms", Duration.milliseconds(500)), ("30s", .seconds(30)), ("1m", .seconds(60)),
        ("24h", .seconds(86_400)), ("1h30m", .seconds(5400)), ("7d", .seconds(604_800)),
    ])
    func durationsParseAndFormat(_ text: String, _ expected: Duration) {
        #expect(DurationParser.parse(text) == expected)
        #expect(DurationParser.parse(DurationParser.format(expected)) == expected)
    }

    @Test func nonsenseDurationsAreRejected() {
        for text in ["", "5", "m", "5x", "-5s", "1.5h"] { #expect(DurationParser.parse(text) == nil, "\(text)") }
    }
}
