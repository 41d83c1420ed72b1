import MonologKafkaProtocol
import NIOCore
import Synchronization

/// The transaction coordinator's gateway half. The state of every transactional id and the rules
/// that change it live in the storage writer (`TransactionMachine`, run inside the writer's storage
/// transaction), so every change is fsynced before it is answered and a gateway restart loses nothing.
/// Here: one request per transactional id on its way through the writer at a time (another one meanwhile
/// gets CONCURRENT_TRANSACTIONS, which clients retry), and the limits from the broker's settings.
final class TransactionCoordinator: Sendable {
    /// `transaction.max.timeout.ms`.
    let maxTimeoutMs: Int64
    private let inFlight = Mutex<Set<String>>([])

    init(maxTimeoutMs: Int64) {
        self.maxTimeoutMs = maxTimeoutMs
    }

    /// Runs `request` for `transactionalID` unless another request for it is still on its way;
    /// then `busy()` answers instead.
    func exclusively<T: Sendable>(
        _ transactionalID: String,
        on eventLoop: any EventLoop,
        busy: () -> T,
        _ request: () -> EventLoopFuture<T>
    ) -> EventLoopFuture<T> {
        let admitted = self.inFlight.withLock { $0.insert(transactionalID).inserted }
        guard admitted else { return eventLoop.makeSucceededFuture(busy()) }
        let answer = request()
        answer.whenComplete { _ in _ = self.inFlight.withLock { $0.remove(transactionalID) } }
        return answer
    }
}
