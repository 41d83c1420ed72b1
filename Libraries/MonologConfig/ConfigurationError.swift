/// A configuration value that cannot be used. The message names the setting, where it came from and
/// what was wrong, so start-up can stop with a line a person can act on.
public struct ConfigurationError: Error, Hashable, Sendable, CustomStringConvertible {
    public var setting: String
    public var source: String
    public var problem: String

    public init(setting: String, source: String, problem: String) {
        self.setting = setting
        self.source = source
        self.problem = problem
    }

    public var description: String { "invalid configuration: \(self.setting) (from \(self.source)): \(self.problem)" }
}
