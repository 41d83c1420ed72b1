import Foundation

/// The JSON line the control socket answers with; the fields depend on the request.
struct ControlAnswer: Codable, Sendable {
    var supervisorPID: Int32?
    var services: [SupervisedChild.Status]?
    var restarted: String?
    var stopping: Bool?
    var error: String?

    enum CodingKeys: String, CodingKey {
        case supervisorPID = "supervisor_pid"
        case services, restarted, stopping, error
    }

    init(supervisorPID: Int32? = nil, services: [SupervisedChild.Status]? = nil, restarted: String? = nil, stopping: Bool? = nil, error: String? = nil) {
        self.supervisorPID = supervisorPID
        self.services = services
        self.restarted = restarted
        self.stopping = stopping
        self.error = error
    }

    static func encode(_ answer: ControlAnswer) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(answer)).map { String(decoding: $0, as: UTF8.self) } ?? #"{"error":"could not encode the answer"}"#
    }

    static func decode(_ line: String) -> ControlAnswer? {
        let decoder = JSONDecoder()
        return try? decoder.decode(ControlAnswer.self, from: Data(line.utf8))
    }
}
