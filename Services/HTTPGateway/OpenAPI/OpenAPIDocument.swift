/// The OpenAPI 3.1 description of the HTTP API, served at `/api/openapi.json`.
/// `HTTPOpenAPITests` calls every operation listed here and checks the answer's status is one it
/// documents, so the document cannot drift from the routes without a test failing.
enum OpenAPIDocument {
    static let json = #"""
        {
          "openapi": "3.1.0",
          "info": {
            "title": "Monolog HTTP API",
            "version": "1",
            "description": "Topics, messages and consumer groups of a Monolog broker. Every error is {\"error\":{\"code\",\"message\"}}. With --http-auth true, every operation except /healthz and /readyz needs a user's bearer token or basic credentials and answers 401 (code unauthorized) without them."
          },
          "security": [{}, {"bearer": []}, {"basic": []}],
          "paths": {
            "/api/topics": {
              "get": {
                "summary": "List topics with their partitions, the messages they hold and the bytes they take",
                "responses": {"200": {"description": "topics", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TopicList"}}}}}
              },
              "post": {
                "summary": "Create a topic",
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CreateTopic"}}}},
                "responses": {
                  "201": {"description": "created", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TopicSummary"}}}},
                  "400": {"$ref": "#/components/responses/Error"},
                  "409": {"$ref": "#/components/responses/Error"}
                }
              }
            },
            "/api/topics/{topic}": {
              "parameters": [{"$ref": "#/components/parameters/Topic"}],
              "get": {
                "summary": "Describe a topic: partitions with log start and high watermark, and configs",
                "responses": {"200": {"description": "the topic"}, "400": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}}
              },
              "delete": {
                "summary": "Delete a topic and its data",
                "responses": {"200": {"description": "deleted"}, "400": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}}
              }
            },
            "/api/topics/{topic}/messages": {
              "parameters": [{"$ref": "#/components/parameters/Topic"}],
              "post": {
                "summary": "Produce one message, or an array of up to 1000 (answered in order)",
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"oneOf": [
                  {"$ref": "#/components/schemas/NewMessage"},
                  {"type": "array", "items": {"$ref": "#/components/schemas/NewMessage"}, "minItems": 1, "maxItems": 1000}
                ]}}}},
                "responses": {
                  "200": {"description": "offsets given to the messages"},
                  "400": {"$ref": "#/components/responses/Error"},
                  "404": {"$ref": "#/components/responses/Error"},
                  "413": {"$ref": "#/components/responses/Error"},
                  "503": {"$ref": "#/components/responses/Error"},
                  "507": {"$ref": "#/components/responses/Error"}
                }
              },
              "get": {
                "summary": "Read messages of one partition from an offset; with wait_ms, wait for the next one",
                "parameters": [
                  {"name": "partition", "in": "query", "schema": {"type": "integer", "minimum": 0, "default": 0}},
                  {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0, "default": 0}},
                  {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 10}},
                  {"name": "max_bytes", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 16777216, "default": 1048576}},
                  {"name": "wait_ms", "in": "query", "schema": {"type": "integer", "minimum": 0, "maximum": 30000, "default": 0}},
                  {"name": "isolation", "in": "query", "description": "read_committed: only below the last stable offset, without aborted transactions' records", "schema": {"type": "string", "enum": ["read_uncommitted", "read_committed"], "default": "read_uncommitted"}}
                ],
                "responses": {"200": {"description": "messages"}, "400": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}}
              }
            },
            "/api/groups": {
              "get": {
                "summary": "Consumer groups with committed offsets and their total lag (total_lag: to the high watermark; total_read_committed_lag: to the last stable offset, what read_committed consumers can read)",
                "responses": {"200": {"description": "groups"}}
              }
            },
            "/api/groups/{group}": {
              "parameters": [{"name": "group", "in": "path", "required": true, "schema": {"type": "string"}}],
              "get": {
                "summary": "A group's committed offsets with each partition's lag: to the high watermark (lag) and to the last stable offset (read_committed_lag), which leaves out open transactions",
                "responses": {"200": {"description": "the group"}, "404": {"$ref": "#/components/responses/Error"}}
              }
            },
            "/healthz": {
              "get": {"summary": "The process answers", "security": [{}], "responses": {"200": {"description": "alive"}}}
            },
            "/readyz": {
              "get": {
                "summary": "The storage writer answers and the database reads",
                "security": [{}],
                "responses": {"200": {"description": "ready"}, "503": {"description": "not ready, naming what is wrong"}}
              }
            },
            "/api/openapi.json": {
              "get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI 3.1"}}}
            },
            "/metrics": {
              "get": {
                "summary": "Every process's figures in Prometheus text format: messages and bytes in and out per topic, produce and fetch latency, group-commit size and fsync time, connections, groups and consumer lag",
                "responses": {"200": {"description": "Prometheus text exposition 0.0.4", "content": {"text/plain": {}}}}
              }
            },
            "/": {
              "get": {"summary": "The console: topics, a message browser, groups and lag, a produce form", "responses": {"200": {"description": "the page", "content": {"text/html": {}}}}}
            },
            "/console/console.css": {
              "get": {"summary": "The console's style sheet", "responses": {"200": {"description": "CSS", "content": {"text/css": {}}}}}
            },
            "/console/console.js": {
              "get": {"summary": "The console's script", "responses": {"200": {"description": "JavaScript", "content": {"text/javascript": {}}}}}
            }
          },
          "components": {
            "securitySchemes": {
              "bearer": {"type": "http", "scheme": "bearer", "description": "a token from monolog-supervisor users add"},
              "basic": {"type": "http", "scheme": "basic", "description": "a user's name and password, as for SASL"}
            },
            "parameters": {
              "Topic": {"name": "topic", "in": "path", "required": true, "schema": {"type": "string", "pattern": "^[a-zA-Z0-9._-]{1,249}$"}}
            },
            "responses": {
              "Error": {"description": "an error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            },
            "schemas": {
              "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "object", "required": ["code", "message"],
                "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}},
              "CreateTopic": {"type": "object", "required": ["name"], "properties": {
                "name": {"type": "string"}, "partitions": {"type": "integer", "minimum": 1, "maximum": 10000},
                "configs": {"type": "object", "additionalProperties": {"type": "string"}}}},
              "TopicSummary": {"type": "object", "properties": {"name": {"type": "string"}, "partitions": {"type": "integer"}}},
              "TopicList": {"type": "object", "properties": {"topics": {"type": "array", "items": {"type": "object", "properties": {
                "name": {"type": "string"}, "partitions": {"type": "integer"}, "messages": {"type": "integer"}, "bytes": {"type": "integer"}}}}}},
              "NewMessage": {"type": "object", "properties": {
                "key": {"type": "string"}, "value": {"type": "string"}, "value_base64": {"type": "string", "contentEncoding": "base64"},
                "partition": {"type": "integer", "minimum": 0}, "headers": {"type": "object", "additionalProperties": {"type": "string"}}}}
            }
          }
        }
        """#
}
