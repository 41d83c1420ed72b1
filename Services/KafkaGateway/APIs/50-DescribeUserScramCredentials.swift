import MonologKafkaProtocol
import MonologSecurity
import MonologStorage
import NIOCore

/// DescribeUserScramCredentials (key 50), version 0: each user's SCRAM mechanisms and iterations (never
/// salts or keys). All users when the request names none; RESOURCE_NOT_FOUND for a user without
/// credentials, DUPLICATE_RESOURCE for a user named twice.
enum DescribeUserScramCredentialsAPI {
    static let entry = SupportedAPIs.Entry(
        apiKey: DescribeUserScramCredentialsRequest.apiKey, name: "DescribeUserScramCredentials", minVersion: 0, maxVersion: 0, serve: serve)

    static func serve(_ request: KafkaRequest) throws {
        request.reply(self.respond(to: try request.decode(DescribeUserScramCredentialsRequest.self), context: request.gateway, on: request.eventLoop))
    }

    static func respond(to request: DescribeUserScramCredentialsRequest, context: KafkaGatewayContext, on eventLoop: any EventLoop) -> EventLoopFuture<
        DescribeUserScramCredentialsResponse
    > {
        context.read(on: eventLoop) { reader in
            let users = try reader.users().filter { !$0.mechanisms.isEmpty }
            let byName = Dictionary(uniqueKeysWithValues: users.map { ($0.name, $0) })
            let asked = request.users?.map(\.name) ?? users.map(\.name)
            var response = DescribeUserScramCredentialsResponse()
            response.errorMessage = nil
            response.results = asked.map { name in
                var result = DescribeUserScramCredentialsResponse.DescribeUserScramCredentialsResult()
                result.user = name
                result.errorMessage = nil
                if asked.count(where: { $0 == name }) > 1 {
                    result.errorCode = KafkaErrorCode.duplicateResource
                    result.errorMessage = "user '\(name)' is named more than once"
                } else if let user = byName[name] {
                    result.credentialInfos = user.mechanisms.sorted(by: { $0.key < $1.key }).compactMap { mechanism, iterations in
                        guard let scram = ScramMechanism(rawValue: mechanism) else { return nil }
                        var info = DescribeUserScramCredentialsResponse.CredentialInfo()
                        info.mechanism = scram.kafkaType
                        info.iterations = iterations
                        return info
                    }
                } else {
                    result.errorCode = KafkaErrorCode.resourceNotFound
                    result.errorMessage = "attempt to describe a user credential that does not exist"
                }
                return result
            }
            return response
        }
    }
}
