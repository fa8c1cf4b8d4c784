%% The BEAM side of the whole-process benchmark (scripts/bench.sh --e2e).
%%
%% publisher/0   an ExESDB node's PubSub side: a real pg scope registered as
%%               'Elixir.Phoenix.PubSub'; broadcasts go, as Phoenix.PubSub's PG2 adapter sends them,
%%               as {forward_to_local, Topic, Message, 'Elixir.Phoenix.PubSub'} to every remote
%%               member of 'Elixir.ex_esdb_metrics.Adapter' (pg:get_members per broadcast).
%%               Registered as e2e_pub; serves:
%%   {members, From}              From ! {members, Node, [NodeOfEachRemoteMember]}
%%   {flood, From, N}             N signed LatencyMetric broadcasts as fast as pg sends them, then
%%                                From ! {flooded, Node, N}
%%   {paced, From, Rate, Ms, ProbeEvery}
%%                                Rate broadcasts/s for Ms milliseconds; every ProbeEvery ms one of
%%                                them is a probe (operation probe, latency_ms K, K = 1, 2, ...);
%%                                then From ! {paced, Node, Sent, [{K, UnixMicrosecondsWhenSent}]}
%% subscriber/2  the peer: a hidden BEAM node doing the exporter's job with each broadcast it gets
%%               on the same bus: the runtime decodes it (binary_to_term), the member re-encodes
%%               the signed term (term_to_binary), checks the HMAC and updates a counter in ETS.
%%               It runs a real pg scope and joins through pg's own discover/sync, as we do.
%%               Registered as e2e_sub; serves:
%%   {expect, From, N}            From ! {expecting, Node} at once, then From ! {done, Node, N,
%%                                BadSignatures} once N more broadcasts were taken
%%
%% The messages are signed once, ahead (64 of them, cycled), so the flood costs the publisher only
%% what Phoenix.PubSub's broadcast itself costs.
-module(e2e_bench).
-export([publisher/0, subscriber/2, write_broadcasts/2]).

-define(SCOPE, 'Elixir.Phoenix.PubSub').
-define(GROUP, 'Elixir.ex_esdb_metrics.Adapter').

secret() -> <<"bench-secret-key-base-0123456789abcdef0123456789abcdef0123456789abcdef">>.

publisher() ->
    {ok, _} = pg:start_link(?SCOPE),
    register(e2e_pub, self()),
    Messages = list_to_tuple([signed(latency(stream_append, 1.0 + I / 8, I)) || I <- lists:seq(1, 64)]),
    io:format("ready ~s~n", [node()]),
    publisher_loop(Messages).

publisher_loop(Messages) ->
    receive
        {members, From} ->
            From ! {members, node(), [node(Pid) || Pid <- pg:get_members(?SCOPE, ?GROUP), node(Pid) =/= node()]};
        {flood, From, N} ->
            flood(Messages, N),
            From ! {flooded, node(), N};
        {paced, From, Rate, Milliseconds, ProbeEvery} ->
            {Sent, Probes} = paced(Messages, Rate, Milliseconds, ProbeEvery),
            From ! {paced, node(), Sent, Probes}
    end,
    publisher_loop(Messages).

broadcast(Message) ->
    [Pid ! {forward_to_local, <<"latency">>, Message, ?SCOPE}
     || Pid <- pg:get_members(?SCOPE, ?GROUP), node(Pid) =/= node()],
    ok.

flood(_, 0) -> ok;
flood(Messages, N) ->
    broadcast(element(N rem 64 + 1, Messages)),
    flood(Messages, N - 1).

%% Each millisecond tick sends what is due by then, so a late tick catches up and the rate holds.
paced(Messages, Rate, Milliseconds, ProbeEvery) ->
    Start = erlang:monotonic_time(microsecond),
    paced(Messages, Rate, Start, Start + Milliseconds * 1000, ProbeEvery * 1000, Start, 0, 1, []).

paced(Messages, Rate, Start, End, ProbeEvery, NextProbe, Sent, K, Probes) ->
    Now = erlang:monotonic_time(microsecond),
    if
        Now >= End ->
            {Sent, lists:reverse(Probes)};
        Now >= NextProbe ->
            Probe = signed(latency(probe, float(K), K)),
            SentAt = os:system_time(microsecond),
            broadcast(Probe),
            paced(Messages, Rate, Start, End, ProbeEvery, NextProbe + ProbeEvery, Sent + 1, K + 1,
                  [{K, SentAt} | Probes]);
        true ->
            Due = (Now - Start) * Rate div 1000000,
            Sent1 = send_due(Messages, Sent, Due),
            receive after 1 -> ok end,
            paced(Messages, Rate, Start, End, ProbeEvery, NextProbe, Sent1, K, Probes)
    end.

send_due(_, Sent, Due) when Sent >= Due -> Sent;
send_due(Messages, Sent, Due) ->
    broadcast(element(Sent rem 64 + 1, Messages)),
    send_due(Messages, Sent + 1, Due).

signed(Inner) ->
    {secure_message, crypto:mac(hmac, sha256, secret(), term_to_binary(Inner)), Inner}.

latency(Operation, Milliseconds, Samples) ->
    latency(Operation, Milliseconds, Samples, node()).

latency(Operation, Milliseconds, Samples, Node) ->
    {latency_metric,
     #{'__struct__' => 'Elixir.ExESDBGater.Messages.MetricsMessages.LatencyMetric',
       operation => Operation, latency_ms => Milliseconds, percentile => p99, sample_count => Samples,
       node => Node,
       timestamp => #{'__struct__' => 'Elixir.DateTime', calendar => 'Elixir.Calendar.ISO',
                      year => 2026, month => 12, day => 2, hour => 10, minute => 15, second => 30,
                      microsecond => {123000, 3}, time_zone => <<"Etc/UTC">>,
                      zone_abbr => <<"UTC">>, utc_offset => 0, std_offset => 0}}}.

subscriber(Publishers, Secret) ->
    {ok, Scope} = pg:start_link(?SCOPE),
    Table = ets:new(latency, [set, public]),
    %% Off-heap mailbox: a flood queued on the heap would be copied by every garbage collection
    %% (quadratic in the backlog); a BEAM subscriber built for floods sets this.
    Member = spawn_opt(fun() -> member(Secret, Table, 0, 0, 0, none) end, [link, {message_queue_data, off_heap}]),
    ok = pg:join(?SCOPE, ?GROUP, Member),
    register(e2e_sub, self()),
    %% A hidden node is discovered by nobody: ask each publisher's scope, as the exporter does.
    [begin true = net_kernel:connect_node(Node), erlang:send({?SCOPE, Node}, {discover, Scope}) end
     || Node <- Publishers],
    io:format("ready ~s~n", [node()]),
    subscriber_loop(Member).

subscriber_loop(Member) ->
    receive
        {expect, From, N} -> Member ! {expect, From, N}
    end,
    subscriber_loop(Member).

%% Seen counts every broadcast; Target is when to report (0: nobody waits).
member(Secret, Table, Seen, Target, Bad, From) ->
    receive
        {forward_to_local, _Topic, {secure_message, Signature, Inner}, _Dispatcher} ->
            Bad1 = case crypto:mac(hmac, sha256, Secret, term_to_binary(Inner)) of
                       Signature ->
                           {_, #{node := Node, operation := Operation, percentile := Percentile}} = Inner,
                           Key = {Node, Operation, Percentile},
                           ets:update_counter(Table, Key, 1, {Key, 0}),
                           Bad;
                       _ ->
                           Bad + 1
                   end,
            Seen1 = Seen + 1,
            case Seen1 =:= Target of
                true -> From ! {done, node(), Seen1, Bad1};
                false -> ok
            end,
            member(Secret, Table, Seen1, Target, Bad1, From);
        {expect, NewFrom, N} ->
            NewFrom ! {expecting, node()},
            member(Secret, Table, Seen, Seen + N, Bad, NewFrom)
    end.

%% write_broadcasts(Path, Node): the flood's 64 broadcasts as Node would send them, each a 4-byte
%% length and the forward_to_local tuple as the distribution carries it (UTF-8 atoms, no atom
%% cache), for the in-process ingest pass (scripts/bench.sh --ingest-pass).
write_broadcasts(Path, Node) ->
    Frames = [begin
                  Message = signed(latency(stream_append, 1.0 + I / 8, I, Node)),
                  Bytes = term_to_binary({forward_to_local, <<"latency">>, Message, ?SCOPE}, [{minor_version, 2}]),
                  <<(byte_size(Bytes)):32, Bytes/binary>>
              end || I <- lists:seq(1, 64)],
    ok = file:write_file(Path, Frames),
    io:format("wrote ~p~n", [length(Frames)]).
