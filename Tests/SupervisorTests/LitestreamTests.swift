import MonologConfig
import Testing

@testable import Supervisor

/// What the supervisor makes of Litestream: the configuration it writes, and the errors its log shows.
@Suite struct LitestreamTests {
    @Test func anErrorLineIsAProblemUntilReplicationRecovers() {
        let failure =
            #"time=2026-12-05T20:08:32.257Z level=ERROR msg="monitor error" system=store db=monolog.db replica=file error="write ltx file: mkdir /r: not a directory" consecutive_errors=1 backoff=1s"#
        #expect(LitestreamLog.event(in: failure) == .problem("monitor error: write ltx file: mkdir /r: not a directory"))
        let recovered = #"time=2026-12-05T20:09:32.257Z level=INFO msg="replica sync recovered" system=store db=monolog.db previous_errors=7"#
        #expect(LitestreamLog.event(in: recovered) == .recovered)
        let routine = #"time=2026-12-05T20:04:33.053Z level=INFO msg="snapshot complete" system=store db=app.db txid=0000000000000002 size=3000"#
        #expect(LitestreamLog.event(in: routine) == nil)
    }

    @Test func quotedValuesKeepTheirSpacesAndEscapes() {
        let fields = LitestreamLog.fields(of: #"level=ERROR msg="a \"quoted\" word" n=3"#)
        #expect(fields == ["level": "ERROR", "msg": #"a "quoted" word"#, "n": "3"])
    }

    @Test func theConfigurationNamesTheDatabaseTheReplicaAndTheMetricsAddress() {
        var settings = ReplicationSettings()
        settings.replica = "file:///srv/replica"
        settings.syncInterval = .milliseconds(1500)
        let text = LitestreamSetup.configuration(
            database: "/data/monolog.db", settings: settings, metricsAddress: ListenAddress(host: "127.0.0.1", port: 9555))
        #expect(text.contains(#"addr: "127.0.0.1:9555""#))
        #expect(text.contains(#"- path: "/data/monolog.db""#))
        #expect(text.contains(#"url: "file:///srv/replica""#))
        #expect(text.contains("sync-interval: 1500ms"))
    }
}
