import Foundation

// libFuzzer's driver, linked by `-sanitize=fuzzer`, owns the arguments; SwiftPM names this file's
// code the program's entry point, so it starts the driver itself. FUZZ_TARGET picks the target;
// FUZZ_SEEDS=<directory> writes every target's seed corpus there instead (scripts/fuzz.sh).

@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

let environment = ProcessInfo.processInfo.environment
if let directory = environment["FUZZ_SEEDS"] {
    do {
        try SeedCorpus.write(into: directory, sources: SeedSources(environment: environment))
        exit(0)
    } catch {
        printError("fuzz seeds: \(error)")
        exit(1)
    }
}
guard let name = environment["FUZZ_TARGET"], let target = FuzzTargets.make(name) else {
    printError("FUZZ_TARGET must be one of: \(FuzzTargets.names.joined(separator: " "))")
    exit(2)
}
Harness.current = target

/// The entry point libFuzzer's driver calls for each input (its own `main`, unused, names it too).
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    Harness.run(UnsafeBufferPointer(start: data, count: size))
    return 0
}

var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
exit(runFuzzerDriver(&argc, &argv, fuzzOneInput))
