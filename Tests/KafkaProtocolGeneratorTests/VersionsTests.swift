import KafkaProtocolGeneratorCore
import Testing

@Suite struct VersionsTests {
    @Test func parsesEveryForm() throws {
        #expect(try Versions(parsing: "3") == Versions(lowest: 3, highest: 3))
        #expect(try Versions(parsing: "0-4") == Versions(lowest: 0, highest: 4))
        #expect(try Versions(parsing: "9+") == Versions(lowest: 9, highest: .max))
        #expect(try Versions(parsing: "none").isEmpty)
    }

    @Test func rejectsNonsense() {
        for text in ["", "x", "4-2", "-1", "1-", "+"] {
            #expect(throws: SpecError.self, "\(text)") { try Versions(parsing: text) }
        }
    }

    @Test func containsAndIntersects() throws {
        let flexible = try Versions(parsing: "3+")
        #expect(flexible.contains(3) && flexible.contains(.max) && !flexible.contains(2))
        #expect(flexible.intersection(try Versions(parsing: "0-4")) == Versions(lowest: 3, highest: 4))
        #expect(flexible.intersection(try Versions(parsing: "0-2")).isEmpty)
        #expect(Versions.none.contains(Int16(0)) == false)
        #expect(try Versions(parsing: "0-11").contains(try Versions(parsing: "3-6")))
    }

    @Test func printsAsItParses() throws {
        for text in ["3", "0-4", "9+", "none"] {
            #expect(try Versions(parsing: text).description == text)
        }
    }
}
