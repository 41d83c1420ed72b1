import Logging
import MonologGroups
import MonologStorage
import MonologWriterClient
import MonologWriterProtocol
import NIOCore

/// Where the group coordinator keeps what must outlive this process (see `GroupSnapshot`): each
/// change goes to the storage writer as it happens, and the next gateway starts from what is stored.
enum GroupStateStorage {
    /// The coordinator's `persist` hook. The coordinator calls it in order, and the writer client keeps
    /// that order. A change is not waited for: if it is lost with the process, the group's members
    /// rejoin after the restart, as they all did before groups were stored.
    static func persist(through writer: WriterClient, on eventLoop: any EventLoop, logger: Logger) -> @Sendable (GroupStateChange) -> Void {
        { change in
            let state = change.snapshot.map { ByteBuffer(bytes: $0.encoded()) } ?? ByteBuffer()
            writer.submit(StoreGroupState(group: change.groupID, generation: change.generation, state: state), on: eventLoop).whenFailure { error in
                logger.warning(
                    "consumer group state not stored; its members will rejoin after a restart",
                    metadata: ["kafka.group": "\(change.groupID)", "error": "\(error)"])
            }
        }
    }

    /// The groups storage kept; one that cannot be read is left out (its members rejoin), with a warning.
    static func stored(in reader: StorageReader, logger: Logger) throws -> [GroupSnapshot] {
        try reader.groupStates().compactMap { stored in
            do {
                return try GroupSnapshot(decoding: stored.state)
            } catch {
                logger.warning("stored consumer group state unreadable; left out", metadata: ["kafka.group": "\(stored.group)", "error": "\(error)"])
                return nil
            }
        }
    }
}
