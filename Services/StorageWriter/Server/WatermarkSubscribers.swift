import MonologWriterProtocol
import NIOCore
import Synchronization

/// Connections that asked to hear about new high watermarks (gateways waking long-poll fetches).
/// After each commit the writer sends them one `watermarks` message with request id 0.
final class WatermarkSubscribers: Sendable {
    private let channels = Mutex<[ObjectIdentifier: any Channel]>([:])

    func add(_ channel: any Channel) {
        self.channels.withLock { $0[ObjectIdentifier(channel)] = channel }
    }

    func remove(_ channel: any Channel) {
        _ = self.channels.withLock { $0.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    func broadcast(_ watermarks: [PartitionWatermark]) {
        let subscribers = self.channels.withLock { Array($0.values) }
        guard !subscribers.isEmpty else { return }
        var message = ByteBuffer()
        WriterFrame.write(Watermarks(watermarks), kind: Watermarks.kind, requestID: WriterProtocol.notificationRequestID, into: &message)
        for channel in subscribers {
            channel.writeAndFlush(message, promise: nil)
        }
    }
}
