%% The BEAM side of the scrape benchmark (scripts/bench.sh --scrapes): an ExESDB node's PubSub
%% side, as in e2e_bench, that gives the exporter a realistic store to serve. Every second it
%% broadcasts, to every remote member of 'Elixir.ex_esdb_metrics.Adapter', one signed
%% LatencyMetric for each of Operations operations and each of the stats p50, p95 and p99 (so
%% the series stay alive and their values move), as Phoenix.PubSub's PG2 adapter sends them.
-module(scrape_bench).
-export([publisher/2]).

-define(SCOPE, 'Elixir.Phoenix.PubSub').
-define(GROUP, 'Elixir.ex_esdb_metrics.Adapter').

publisher(Operations, Secret) ->
    {ok, _} = pg:start_link(?SCOPE),
    io:format("ready ~s~n", [node()]),
    loop(Operations, Secret, 1).

loop(Operations, Secret, Round) ->
    Members = [Pid || Pid <- pg:get_members(?SCOPE, ?GROUP), node(Pid) =/= node()],
    [broadcast(Members, signed(Secret, latency(Operation, Stat, Round)))
     || Operation <- lists:seq(1, Operations), Stat <- [p50, p95, p99]],
    receive after 1000 -> ok end,
    loop(Operations, Secret, Round + 1).

broadcast(Members, Message) ->
    [Pid ! {forward_to_local, <<"latency">>, Message, ?SCOPE} || Pid <- Members],
    ok.

signed(Secret, Inner) ->
    {secure_message, crypto:mac(hmac, sha256, Secret, term_to_binary(Inner)), Inner}.

latency(Operation, Stat, Round) ->
    Name = list_to_atom("operation_" ++ integer_to_list(Operation)),
    Milliseconds = float((Operation * 7 + Round) rem 400) / 4,
    {latency_metric,
     #{'__struct__' => 'Elixir.ExESDBGater.Messages.MetricsMessages.LatencyMetric',
       operation => Name, latency_ms => Milliseconds, percentile => Stat, sample_count => Round,
       node => node(),
       timestamp => #{'__struct__' => 'Elixir.DateTime', calendar => 'Elixir.Calendar.ISO',
                      year => 2026, month => 12, day => 2, hour => 10, minute => 15, second => 30,
                      microsecond => {123000, 3}, time_zone => <<"Etc/UTC">>,
                      zone_abbr => <<"UTC">>, utc_offset => 0, std_offset => 0}}}.
