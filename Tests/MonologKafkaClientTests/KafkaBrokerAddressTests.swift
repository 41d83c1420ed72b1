import MonologKafkaClient
import Testing

/// Bootstrap servers as users write them.
@Suite struct KafkaBrokerAddressTests {
    @Test func hostAndPort() {
        #expect(KafkaBrokerAddress(parsing: "kafka-1.example.com:9093") == KafkaBrokerAddress(host: "kafka-1.example.com", port: 9093))
        #expect(KafkaBrokerAddress(parsing: " 127.0.0.1:19092 ") == KafkaBrokerAddress(host: "127.0.0.1", port: 19092))
    }

    @Test func aMissingPortMeans9092() {
        #expect(KafkaBrokerAddress(parsing: "localhost") == KafkaBrokerAddress(host: "localhost", port: 9092))
        #expect(KafkaBrokerAddress(parsing: "::1") == KafkaBrokerAddress(host: "::1", port: 9092))
    }

    @Test func bracketedIPv6() {
        let address = KafkaBrokerAddress(parsing: "[::1]:9094")
        #expect(address == KafkaBrokerAddress(host: "::1", port: 9094))
        #expect(address?.description == "[::1]:9094")
        #expect(KafkaBrokerAddress(parsing: "[fe80::1]") == KafkaBrokerAddress(host: "fe80::1", port: 9092))
    }

    @Test(arguments: ["", ":9092", "host:", "host:0", "host:65536", "host:port", "[::1", "[::1]x", "[]:9092"])
    func malformedAddressesAreRejected(_ text: String) {
        #expect(KafkaBrokerAddress(parsing: text) == nil)
    }

    @Test func descriptionRoundTrips() {
        let address = KafkaBrokerAddress(host: "broker", port: 9092)
        #expect(address.description == "broker:9092")
        #expect(KafkaBrokerAddress(parsing: address.description) == address)
    }
}
