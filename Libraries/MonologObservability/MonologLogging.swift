import Logging

/// Logging set-up shared by every Monolog process. Only a process's entry point calls `bootstrap`;
/// libraries take a `Logger` from their caller.
public enum MonologLogging {
    /// Logs go to standard error, one line each; the supervisor prefixes them with the service name.
    public static func bootstrap(level: Logger.Level) {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }

    /// The logger of a service, labelled `monolog.<service>`.
    public static func logger(service: String, level: Logger.Level) -> Logger {
        var logger = Logger(label: "monolog.\(service)")
        logger.logLevel = level
        return logger
    }
}

/// Metadata keys, defined once so every process logs the same names.
public enum LogKey {
    public static let connectionPeer = "connection.peer"
    public static let kafkaAPI = "kafka.api"
    public static let kafkaAPIVersion = "kafka.api_version"
    public static let kafkaCorrelationID = "kafka.correlation_id"
    public static let kafkaClientID = "kafka.client_id"
    public static let kafkaTopic = "kafka.topic"
    public static let kafkaPartition = "kafka.partition"
    public static let writerRequestID = "writer.request_id"
    public static let service = "service"
    public static let error = "error"
}
