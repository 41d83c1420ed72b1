import Testing

@testable import Supervisor

@Suite struct RestartPolicyTests {
    let start = ContinuousClock.now

    @Test func aChildThatRanAWhileRestartsQuickly() {
        var policy = RestartPolicy(maxRestarts: 3, window: .seconds(10))
        #expect(policy.childExited(at: self.start, uptime: .seconds(30)) == .restart(after: .milliseconds(100)))
    }

    @Test func aChildThatDiedAtOnceWaitsASecond() {
        var policy = RestartPolicy(maxRestarts: 3, window: .seconds(10))
        #expect(policy.childExited(at: self.start, uptime: .milliseconds(200)) == .restart(after: .seconds(1)))
    }

    @Test func tooManyRestartsWithinTheWindowGivesUp() {
        var policy = RestartPolicy(maxRestarts: 3, window: .seconds(10))
        #expect(policy.childExited(at: self.start, uptime: .seconds(5)) == .restart(after: .milliseconds(100)))
        #expect(policy.childExited(at: self.start + .seconds(1), uptime: .seconds(5)) == .restart(after: .milliseconds(100)))
        #expect(policy.childExited(at: self.start + .seconds(2), uptime: .seconds(5)) == .restart(after: .milliseconds(100)))
        #expect(policy.childExited(at: self.start + .seconds(3), uptime: .seconds(5)) == .giveUp(restarts: 3, within: .seconds(10)))
    }

    @Test func restartsOutsideTheWindowAreForgotten() {
        var policy = RestartPolicy(maxRestarts: 2, window: .seconds(10))
        _ = policy.childExited(at: self.start, uptime: .seconds(5))
        _ = policy.childExited(at: self.start + .seconds(1), uptime: .seconds(5))
        #expect(policy.childExited(at: self.start + .seconds(12), uptime: .seconds(5)) == .restart(after: .milliseconds(100)))
    }

    @Test func zeroRestartsAllowedGivesUpOnTheFirstExit() {
        var policy = RestartPolicy(maxRestarts: 0, window: .seconds(10))
        #expect(policy.childExited(at: self.start, uptime: .seconds(5)) == .giveUp(restarts: 0, within: .seconds(10)))
    }
}
