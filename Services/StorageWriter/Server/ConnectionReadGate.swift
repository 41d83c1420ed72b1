import NIOCore

/// Stops and restarts reading on every connection to the writer at once: the writer's backpressure
/// while a large group commits on the helper thread and what arrived meanwhile has reached the limit.
/// (When a group commits on the loop itself, nothing is read until it is done anyway.)
///
/// Confined to the writer's event loop, like the connections it holds.
final class ConnectionReadGate {
    private var channels: [ObjectIdentifier: any Channel] = [:]
    private(set) var paused = false

    func add(_ channel: any Channel) {
        self.channels[ObjectIdentifier(channel)] = channel
        if self.paused { Self.setReading(channel, false) }
    }

    func remove(_ channel: any Channel) {
        self.channels[ObjectIdentifier(channel)] = nil
    }

    /// Pauses (or resumes) reading on every connection; a connection accepted meanwhile starts paused.
    func setPaused(_ paused: Bool) {
        guard paused != self.paused else { return }
        self.paused = paused
        for channel in self.channels.values { Self.setReading(channel, !paused) }
    }

    private static func setReading(_ channel: any Channel, _ reading: Bool) {
        try? channel.syncOptions?.setOption(.autoRead, value: reading)
    }
}

@available(*, unavailable)
extension ConnectionReadGate: Sendable {}
