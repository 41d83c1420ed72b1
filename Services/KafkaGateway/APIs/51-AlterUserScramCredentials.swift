import MonologKafkaProtocol
import MonologSecurity
import MonologWriterClient
import MonologWriterProtocol
import NIOCore

/// AlterUserScramCredentials (key 51), version 0: upserts (the client sends the salt and the salted
/// password; the broker keeps only the stored and server keys) and deletions, through the writer.
/// Kafka's checks: an unknown mechanism is UNSUPPORTED_SASL_MECHANISM, iterations outside
/// 4096–16384 or an empty user or salt UNACCEPTABLE_CREDENTIAL, a user altered twice in one request
/// DUPLICATE_RESOURCE, deleting a credential that does not exist RESOURCE_NOT_FOUND.
enum AlterUserScramCredentialsAPI {
    static let entry = SupportedAPIs.Entry(
        apiKey: AlterUserScramCredentialsRequest.apiKey, name: "AlterUserScramCredentials", minVersion: 0, maxVersion: 0, serve: serve)

    static func serve(_ request: KafkaRequest) throws {
        request.reply(self.respond(to: try request.decode(AlterUserScramCredentialsRequest.self), context: request.gateway, on: request.eventLoop))
    }

    static func respond(to request: AlterUserScramCredentialsRequest, context: KafkaGatewayContext, on eventLoop: any EventLoop) -> EventLoopFuture<
        AlterUserScramCredentialsResponse
    > {
        typealias Result = AlterUserScramCredentialsResponse.AlterUserScramCredentialsResult
        @Sendable func result(_ user: String, _ code: Int16 = KafkaErrorCode.none, _ message: String? = nil) -> Result {
            var result = Result()
            result.user = user
            result.errorCode = code
            result.errorMessage = message
            return result
        }
        // A user whose credential for one mechanism changes twice in one request is refused whole
        // (DUPLICATE_RESOURCE), as Kafka does.
        let names = request.deletions.map(\.name) + request.upsertions.map(\.name)
        let duplicated = Set(
            names.filter { name in
                let pairs = request.deletions.filter { $0.name == name }.map(\.mechanism) + request.upsertions.filter { $0.name == name }.map(\.mechanism)
                return Set(pairs).count != pairs.count
            })
        @Sendable func refused(_ user: String, _ code: Int16, _ message: String) -> EventLoopFuture<Result> {
            eventLoop.makeSucceededFuture(result(user, code, message))
        }
        var changes: [EventLoopFuture<Result>] = []
        for deletion in request.deletions {
            let user = deletion.name
            guard !duplicated.contains(user) else { continue }
            guard let mechanism = ScramMechanism(kafkaType: deletion.mechanism) else {
                changes.append(refused(user, KafkaErrorCode.unsupportedSaslMechanism, "unknown SCRAM mechanism \(deletion.mechanism)"))
                continue
            }
            let change = context.writer.submit(DeleteScramCredential(user: user, mechanism: mechanism.rawValue), on: eventLoop).map { deletion in
                if !deletion.changed {
                    return result(user, KafkaErrorCode.resourceNotFound, "attempt to delete a user credential that does not exist")
                }
                return result(user)
            }.recover { result(user, KafkaErrorCode.from($0), "\($0)") }
            changes.append(change)
        }
        for upsertion in request.upsertions {
            let user = upsertion.name
            guard !duplicated.contains(user) else { continue }
            guard let mechanism = ScramMechanism(kafkaType: upsertion.mechanism) else {
                changes.append(refused(user, KafkaErrorCode.unsupportedSaslMechanism, "unknown SCRAM mechanism \(upsertion.mechanism)"))
                continue
            }
            guard !user.isEmpty, upsertion.salt.readableBytes > 0, upsertion.saltedPassword.readableBytes > 0,
                ScramMechanism.iterationRange.contains(Int(upsertion.iterations))
            else {
                let problem =
                    "a credential needs a user, a salt, a salted password and \(ScramMechanism.iterationRange.lowerBound)–\(ScramMechanism.iterationRange.upperBound) iterations"
                changes.append(refused(user, KafkaErrorCode.unacceptableCredential, problem))
                continue
            }
            let credential = ScramCredential(
                mechanism: mechanism,
                salt: Array(upsertion.salt.readableBytesView),
                iterations: Int(upsertion.iterations),
                saltedPassword: Array(upsertion.saltedPassword.readableBytesView)
            )
            let change = context.writer.submit(UpsertScramCredential(user: user, credential: credential.stored), on: eventLoop)
                .map { _ in result(user) }
                .recover { result(user, KafkaErrorCode.from($0), "\($0)") }
            changes.append(change)
        }
        return EventLoopFuture.whenAllSucceed(changes, on: eventLoop).map { results in
            // One result per user: its first error, else success.
            var byUser: [String: Result] = [:]
            var order: [String] = []
            for user in duplicated.sorted() {
                byUser[user] = result(user, KafkaErrorCode.duplicateResource, "a user's credential for one mechanism may change once per request")
                order.append(user)
            }
            for result in results {
                if byUser[result.user] == nil { order.append(result.user) }
                if byUser[result.user].map({ $0.errorCode == KafkaErrorCode.none }) ?? true { byUser[result.user] = result }
            }
            var response = AlterUserScramCredentialsResponse()
            response.results = order.compactMap { byUser[$0] }
            return response
        }
    }
}
