%% The BEAM side of the codec benchmark: builds a realistic signed LatencyMetric broadcast, as
%% ExESDBGater publishes it and as the distribution carries it (UTF-8 atoms), writes its bytes for
%% the Swift side, and times the BEAM's own work on the same bytes.
-module(etf_bench).
-export([run/2, message/0]).

run(Path, Iterations) ->
    Bytes = term_to_binary(message(), [{minor_version, 2}]),
    ok = file:write_file(Path, Bytes),
    io:format("bytes ~b~n", [byte_size(Bytes)]),
    Decode = best_of(5, fun() -> decode_loop(Bytes, Iterations) end) / Iterations,
    io:format("beam_decode_ns ~.1f~n", [Decode]),
    {forward_to_local, _, {secure_message, _, Inner}, _} = binary_to_term(Bytes),
    Encode = best_of(5, fun() -> encode_loop(Inner, Iterations) end) / Iterations,
    io:format("beam_encode_ns ~.1f~n", [Encode]),
    Verify = best_of(5, fun() -> verify_loop(Bytes, Iterations) end) / Iterations,
    io:format("beam_verify_ns ~.1f~n", [Verify]).

best_of(Runs, Fun) ->
    lists:min([element(1, timer:tc(Fun)) * 1000 || _ <- lists:seq(1, Runs)]).

decode_loop(_, 0) -> ok;
decode_loop(Bytes, N) -> _ = binary_to_term(Bytes), decode_loop(Bytes, N - 1).

encode_loop(Term, N) -> encode_loop(Term, N, 0).

%% The sizes are summed so that the compiler cannot drop the pure call.
encode_loop(_, 0, Total) -> Total;
encode_loop(Term, N, Total) -> encode_loop(Term, N - 1, Total + byte_size(term_to_binary(Term))).

%% What a subscriber does with each broadcast: decode, re-encode the inner term, check the MAC.
verify_loop(_, 0) -> ok;
verify_loop(Bytes, N) ->
    {forward_to_local, _, {secure_message, Sig, Inner}, _} = binary_to_term(Bytes),
    Sig = crypto:mac(hmac, sha256, secret(), term_to_binary(Inner)),
    verify_loop(Bytes, N - 1).

secret() -> <<"bench-secret-key-base-0123456789abcdef0123456789abcdef0123456789abcdef">>.

message() ->
    Inner = {latency_metric, latency()},
    Sig = crypto:mac(hmac, sha256, secret(), term_to_binary(Inner)),
    {forward_to_local, <<"latency">>, {secure_message, Sig, Inner}, 'Elixir.Phoenix.PubSub'}.

latency() ->
    #{'__struct__' => 'Elixir.ExESDBGater.Messages.MetricsMessages.LatencyMetric',
      operation => stream_append, latency_ms => 4.375, percentile => p99, sample_count => 12480,
      node => 'ex_esdb@host-1',
      timestamp => #{'__struct__' => 'Elixir.DateTime', calendar => 'Elixir.Calendar.ISO',
                     year => 2026, month => 11, day => 22, hour => 10, minute => 15, second => 30,
                     microsecond => {123000, 3}, time_zone => <<"Etc/UTC">>,
                     zone_abbr => <<"UTC">>, utc_offset => 0, std_offset => 0}}.
