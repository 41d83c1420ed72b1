import Synchronization
import Testing

@testable import KafkaGateway

/// Large frames reserve their announced size before their body is read: they are let in while they
/// fit within queued.max.request.bytes together (or alone when larger), and what they hold never
/// holds back small requests.
@Suite struct RequestBudgetTests {
    final class Owner {}

    /// Counts the times the budget woke its waiter.
    final class Wakes: Sendable {
        private let count = Mutex(0)
        var value: Int { self.count.withLock { $0 } }
        var waiter: RequestBudget.Waiter { { self.count.withLock { $0 += 1 } } }
    }

    static let mib = 1 << 20

    @Test func largeFramesAreBoundedTogetherWhileSmallRequestsGoOn() {
        let budget = RequestBudget(maxRequests: 10, maxBytes: Int64(4 * Self.mib))
        let (first, second, small) = (Owner(), Owner(), Owner())
        let wakes = Wakes()
        #expect(budget.reserve(bytes: 3 * Self.mib, owner: ObjectIdentifier(first), waiter: wakes.waiter))
        // 3 + 3 MiB would pass the bound: the second frame's body waits, unread.
        #expect(!budget.reserve(bytes: 3 * Self.mib, owner: ObjectIdentifier(second), waiter: wakes.waiter))
        // A small request is let in all the same.
        #expect(budget.acquire(bytes: 100, owner: ObjectIdentifier(small), waiter: wakes.waiter))
        // The first frame, whole, turns its reservation into its place, even with the bytes bound passed.
        #expect(budget.acquire(bytes: 3 * Self.mib, reserved: true, owner: ObjectIdentifier(first), waiter: wakes.waiter))
        // While it is served it still counts against other large frames.
        budget.release(requests: 1, bytes: 100)
        #expect(wakes.value == 0)
        #expect(!budget.reserve(bytes: 3 * Self.mib, owner: ObjectIdentifier(second), waiter: wakes.waiter))
        // Answered: the waiting frame is woken and now fits.
        budget.release(requests: 1, bytes: 3 * Self.mib, largeBytes: 3 * Self.mib)
        #expect(wakes.value == 1)
        #expect(budget.reserve(bytes: 3 * Self.mib, owner: ObjectIdentifier(second), waiter: wakes.waiter))
    }

    @Test func aFrameLargerThanTheBoundIsReservedAloneAndAClosedConnectionGivesItBack() {
        let budget = RequestBudget(maxRequests: 10, maxBytes: Int64(Self.mib))
        let (large, other) = (Owner(), Owner())
        let wakes = Wakes()
        #expect(budget.reserve(bytes: 8 * Self.mib, owner: ObjectIdentifier(large), waiter: wakes.waiter))
        #expect(!budget.reserve(bytes: 100 * 1024, owner: ObjectIdentifier(other), waiter: wakes.waiter))
        budget.cancelReservation(bytes: 8 * Self.mib)
        #expect(wakes.value == 1)
        #expect(budget.reserve(bytes: 100 * 1024, owner: ObjectIdentifier(other), waiter: wakes.waiter))
    }

    @Test func withoutAByteBoundEveryReservationIsGranted() {
        let budget = RequestBudget(maxRequests: 10, maxBytes: nil)
        let wakes = Wakes()
        for _ in 0..<4 { #expect(budget.reserve(bytes: 100 * Self.mib, owner: ObjectIdentifier(Owner()), waiter: wakes.waiter)) }
    }
}
