import MonologKafkaProtocol

/// A message type with a generated example (`GeneratedExamples/`): every field the version carries is
/// set to a non-default value, and flexible versions carry one unknown tagged field.
protocol KafkaMessageExample: KafkaMessage {
    static func example(version: Int16) -> Self
}
