import Foundation
import NIOCore
import Synchronization

/// The listen addresses bound so far (with their real ports), or why listening failed.
final class Listeners: Sendable {
    private struct State {
        var bound: [ListenAddress: ListenAddress] = [:]
        var failure: (any Error)?
    }

    private let configured: [ListenAddress]
    private let state = Mutex(State())

    init(_ configured: [ListenAddress]) {
        self.configured = configured
    }

    func record(_ address: ListenAddress, localAddress: SocketAddress?) {
        let actual = ListenAddress(
            host: localAddress?.ipAddress ?? address.host, port: localAddress?.port ?? address.port)
        state.withLock { $0.bound[address] = actual }
    }

    func fail(_ error: any Error) {
        state.withLock { $0.failure = $0.failure ?? error }
    }

    func isBound(_ address: ListenAddress) -> Bool {
        state.withLock { $0.bound[address] != nil }
    }

    /// In the order of the flags.
    var bound: [ListenAddress] {
        state.withLock { state in configured.compactMap { state.bound[$0] } }
    }

    var failure: (any Error)? { state.withLock { $0.failure } }

    static func text(_ socket: SocketAddress) -> String {
        ListenAddress(host: socket.ipAddress, port: socket.port ?? 0).description
    }
}

/// Bind errors in the operator's words, naming the flag value.
enum BindFailure {
    static func describe(_ error: any Error, address: ListenAddress) -> ExporterHTTPError {
        if let error = error as? IOError {
            if error.errnoCode == EADDRINUSE { return .addressInUse(address: address.description) }
            return .cannotListen(address: address.description, reason: "\(error)")
        }
        if error is SocketAddressError {
            return .cannotListen(
                address: address.description, reason: "the host name does not resolve to an address of this machine")
        }
        return .cannotListen(address: address.description, reason: "\(error)")
    }

    /// Binding `::` fails this way where IPv6 is off.
    static func isMissingIPv6(_ error: any Error) -> Bool {
        guard let error = error as? IOError else { return false }
        return error.errnoCode == EAFNOSUPPORT || error.errnoCode == EADDRNOTAVAIL
    }
}
