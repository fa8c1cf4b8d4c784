import HTTPTypes
import Hummingbird

/// Applies the web configuration in force to every request, unknown paths included (as
/// exporter-toolkit does): basic auth when users are configured, then the extra headers.
struct WebMiddleware<Context: RequestContext>: RouterMiddleware {
    let webConfiguration: LiveWebConfiguration
    let rejections: HTTPRejections

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let loaded = webConfiguration.loaded
        var response: Response
        if let authenticator = loaded.authenticator,
            await !authenticator.authenticate(authorization: request.headers[.authorization])
        {
            rejections.unauthorized.increment()
            response = Response(
                status: .unauthorized,
                headers: [.wwwAuthenticate: "Basic", .contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: "Unauthorized\n")))
        } else {
            do {
                response = try await next(request, context)
            } catch let error as any HTTPResponseError {
                response = try error.response(from: request, context: context)
            }
        }
        for (name, value) in loaded.headers {
            response.headers[name] = value
        }
        return response
    }
}
