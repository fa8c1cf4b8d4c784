%% Test fixture: the node's own view of what the BEAM collector reads (the same calls, made
%% locally), and the rex calls other nodes make to it (rex's received messages traced), so tests
%% compare with and count on the node itself. Each such call is also printed ("rex call from Node:
%% M:F/Arity"), for tests that only read the node's output.
-module(vm_witness).
-export([start/1]).

%% Connects to Peers first (the mesh is there before "ready"), then serves {report, From} and
%% {rex_calls, From} as the registered process vm_witness.
start(Peers) ->
    [pong = net_adm:ping(Peer) || Peer <- Peers],
    Parent = self(),
    Witness = spawn(fun() -> init(Parent) end),
    receive {Witness, tracing} -> ok end,
    io:format("ready ~s~n", [node()]).

init(Parent) ->
    register(vm_witness, self()),
    1 = erlang:trace(whereis(rex), true, ['receive', {tracer, self()}]),
    Parent ! {self(), tracing},
    loop([]).

loop(Calls) ->
    receive
        {trace, _Rex, 'receive', {'$gen_call', {From, _}, {call, M, F, A, _}}} when node(From) =/= node() ->
            io:format("rex call from ~s: ~s:~s/~b~n", [node(From), M, F, length(A)]),
            loop([{node(From), M, F, A} | Calls]);
        {trace, _, _, _} ->
            loop(Calls);
        {rex_calls, From} ->
            From ! {rex_calls, lists:reverse(Calls)},
            loop(Calls);
        {report, From} ->
            From ! {report, report()},
            loop(Calls)
    end.

report() ->
    Info = [otp_release, version, wordsize, process_count, process_limit, port_count, port_limit, atom_count,
            atom_limit, ets_count, ets_limit, schedulers, schedulers_online, dirty_cpu_schedulers,
            dirty_cpu_schedulers_online, dirty_io_schedulers],
    Statistics = [io, context_switches, garbage_collection, reductions, run_queue, runtime, wall_clock],
    {ok, Connections} = net_kernel:nodes_info(),
    #{memory => erlang:memory(),
      system_info => [{Item, erlang:system_info(Item)} || Item <- Info],
      statistics => [{Item, erlang:statistics(Item)} || Item <- Statistics],
      applications => [{App, Version} || {App, _, Version} <- application:which_applications()],
      peers => [Node || {Node, About} <- Connections, proplists:get_value(type, About) =:= normal]}.
