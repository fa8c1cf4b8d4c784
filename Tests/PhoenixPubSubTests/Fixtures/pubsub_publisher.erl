%% Test fixture: an ExESDB node's PubSub side as the wire sees it. A real OTP pg scope registered
%% as 'Elixir.Phoenix.PubSub', groups named as Phoenix.PubSub's PG2 adapter names them, its
%% broadcast (one group chosen by erlang:phash2(self(), PoolSize), forward_to_local to every remote
%% member), and ExESDBGater envelopes signed with crypto:mac over term_to_binary.
%%
%% start(PoolSize, Secret) registers `publisher`, prints `ready`, and serves:
%%   {publish, Bus, Topic, Seq}        one signed LatencyMetric whose sample_count is Seq
%%   {publish_n, Bus, Topic, N}        Seq 1..N in order from this process
%%   {publish_spread, Bus, Topic, N}   Seq 1..N each from a new process (all pool groups get used)
%%   {direct, Node, Bus, Topic, Seq}   direct_broadcast: to the group's name on Node
%%   {publish_all, Bus}                every payload of gater_fixture (GaterMessagesTests' fixture,
%%                                     compiled alongside) on Bus, signed
%%   {members, From}                   From ! {members, [{Group, Pids}]} for every group known
-module(pubsub_publisher).
-export([start/2, start/3, start_ticking/2]).

-define(SCOPE, 'Elixir.Phoenix.PubSub').

%% start_ticking(PoolSize, Secret): as start/2, and publishes a LatencyMetric on ex_esdb_metrics
%% every 200 ms by itself (for the exporter binary's tests, which send no commands).
start_ticking(PoolSize, Secret) ->
    Self = self(),
    spawn(fun() -> tick(Self, 1) end),
    start(PoolSize, Secret).

tick(Publisher, Seq) ->
    timer:sleep(200),
    Publisher ! {publish, ex_esdb_metrics, <<"latency">>, Seq},
    tick(Publisher, Seq + 1).

%% start(PoolSize, Secret, Seed): as start/2, after joining the cluster of node Seed.
start(PoolSize, Secret, Seed) ->
    pong = net_adm:ping(Seed),
    start(PoolSize, Secret).

start(PoolSize, Secret) ->
    {ok, _} = pg:start_link(?SCOPE),
    register(publisher, self()),
    io:format("ready ~s~n", [node()]),
    loop(PoolSize, Secret).

loop(PoolSize, Secret) ->
    receive
        {publish, Bus, Topic, Seq} ->
            broadcast(PoolSize, Bus, Topic, envelope(Secret, Seq));
        {publish_n, Bus, Topic, N} ->
            [broadcast(PoolSize, Bus, Topic, envelope(Secret, Seq)) || Seq <- lists:seq(1, N)];
        {publish_spread, Bus, Topic, N} ->
            [spawn(fun() -> broadcast(PoolSize, Bus, Topic, envelope(Secret, Seq)) end) || Seq <- lists:seq(1, N)];
        {direct, Node, Bus, Topic, Seq} ->
            erlang:send({group(Bus, 0), Node}, {forward_to_local, Topic, envelope(Secret, Seq), ?SCOPE});
        {publish_all, Bus} ->
            [broadcast(PoolSize, Bus, Topic, sign(Secret, Inner)) || {_, Topic, Inner} <- gater_fixture:payloads()];
        {members, From} ->
            From ! {members, [{G, pg:get_members(?SCOPE, G)} || G <- pg:which_groups(?SCOPE)]}
    end,
    loop(PoolSize, Secret).

broadcast(PoolSize, Bus, Topic, Message) ->
    Group = group(Bus, erlang:phash2(self(), PoolSize)),
    [Pid ! {forward_to_local, Topic, Message, ?SCOPE} || Pid <- pg:get_members(?SCOPE, Group), node(Pid) =/= node()],
    ok.

group(Bus, 0) -> list_to_atom("Elixir." ++ atom_to_list(Bus) ++ ".Adapter");
group(Bus, Index) -> list_to_atom("Elixir." ++ atom_to_list(Bus) ++ ".Adapter_" ++ integer_to_list(Index + 1)).

sign(Secret, Inner) ->
    {secure_message, crypto:mac(hmac, sha256, Secret, term_to_binary(Inner)), Inner}.

envelope(Secret, Seq) ->
    Inner = {latency_metric,
             #{'__struct__' => 'Elixir.ExESDBGater.Messages.MetricsMessages.LatencyMetric',
               operation => stream_read, latency_ms => 1.5, percentile => p50, sample_count => Seq,
               node => node(), timestamp => nil}},
    {secure_message, crypto:mac(hmac, sha256, Secret, term_to_binary(Inner)), Inner}.
