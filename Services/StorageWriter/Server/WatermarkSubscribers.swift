import MonologWriterProtocol
import NIOCore
import Synchronization

/// Connections that asked to hear about new high watermarks (gateways waking long-poll fetches) and
/// about changed users (gateways forgetting verified passwords). After each commit the writer sends
/// them one `Watermarks` message with request id 0, and a `UserCredentialsChanged` if users changed.
final class WatermarkSubscribers: Sendable {
    private let channels = Mutex<[ObjectIdentifier: any Channel]>([:])

    func add(_ channel: any Channel) {
        self.channels.withLock { $0[ObjectIdentifier(channel)] = channel }
    }

    func remove(_ channel: any Channel) {
        _ = self.channels.withLock { $0.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    func broadcast(_ watermarks: [PartitionWatermark]) {
        self.send(Watermarks(watermarks), kind: Watermarks.kind)
    }

    func broadcastUsersChanged() {
        self.send(UserCredentialsChanged(), kind: UserCredentialsChanged.kind)
    }

    private func send(_ notification: some WireMessage, kind: UInt8) {
        let subscribers = self.channels.withLock { Array($0.values) }
        guard !subscribers.isEmpty else { return }
        var message = ByteBuffer()
        WriterFrame.write(notification, kind: kind, requestID: WriterProtocol.notificationRequestID, into: &message)
        for channel in subscribers {
            channel.writeAndFlush(message, promise: nil)
        }
    }
}
