%% The BEAM side of the distribution benchmark.
%%
%% sender/0    registers `sender`; on {go, To, N} sends N signed LatencyMetric broadcasts (the
%%             forward_to_local tuples a PubSub subscriber receives) to To, then `done`.
%% receiver/2  the peer measurement: a second BEAM node asks the sender for N messages and prints
%%             how long receiving them took (`beam_receive_us`).
-module(dist_bench).
-export([sender/0, receiver/2]).

sender() ->
    register(sender, self()),
    io:format("ready~n"),
    sender_loop(etf_bench:message()).

sender_loop(Message) ->
    receive
        {go, To, N} ->
            send_n(To, Message, N),
            To ! done
    end,
    sender_loop(Message).

send_n(_, _, 0) -> ok;
send_n(To, Message, N) ->
    To ! Message,
    send_n(To, Message, N - 1).

receiver(SenderNode, N) ->
    io:format("ready~n"),
    {sender, SenderNode} ! {go, self(), 1},
    receive done -> ok end,
    drain(),
    Start = erlang:monotonic_time(microsecond),
    {sender, SenderNode} ! {go, self(), N},
    count(0),
    Elapsed = erlang:monotonic_time(microsecond) - Start,
    io:format("beam_receive_us ~b~n", [Elapsed]).

drain() ->
    receive {forward_to_local, _, _, _} -> drain() after 0 -> ok end.

count(Seen) ->
    receive
        {forward_to_local, _, _, _} -> count(Seen + 1);
        done -> Seen
    end.
