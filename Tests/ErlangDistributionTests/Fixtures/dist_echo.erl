%% Test fixture: a process on a real node that the Swift node talks to.
%%
%% start/0 registers the calling process as `echo`, prints `ready`, and serves:
%%   {echo, From, Msg}            replies {echoed, Msg} to From
%%   {monitor, Pid}               monitors Pid, prints `monitoring`, sends Pid `monitoring` (which,
%%                                arriving after the monitor on the same connection, tells Pid
%%                                the monitor is in place), later prints `down <Reason>`
%%   {link_to, Pid}               links to Pid (trapping exits), sends Pid `linked`, later prints
%%                                `exit <Reason>`
%%   {soak, From, N}              sends {seq, 1} .. {seq, N} to From, then done
%%   {send_named, Name, Node, M}  sends M to the registered process Name on Node
%%   {nodes, From}                replies {nodes, nodes(hidden)} to From
%%   {send_alias, Alias, Msg}     sends Msg to the process alias Alias (ALIAS_SEND on the wire)
%%   {big, From, Bytes}           replies a binary of Bytes bytes to From
%%   {spawn_on, Node}             asks Node to spawn a process, prints `spawn_reply <Result> <Reason>`
%%   {exit_with, Reason}          the echo process exits with Reason (the node stays up: echo is not
%%                                the -eval process, whose exit would halt the node and race the
%%                                'DOWN' it sends with the connection's end)
-module(dist_echo).
-export([start/0, greet/1]).

start() ->
    serve(fun() ->
        register(echo, self()),
        process_flag(trap_exit, true),
        io:format("ready ~s~n", [node()]),
        loop()
    end).

%% Runs Echo in a process of its own and parks the -eval process for the node's lifetime.
serve(Echo) ->
    spawn(Echo),
    receive never -> ok end.

%% greet(Node): as start/0, but first sends {hello, self()} to the process registered as
%% swiftreg on Node, which makes this node connect to Node by name, and prints
%% `welcomed <Term>` when {welcome, Term} comes back.
greet(Node) ->
    serve(fun() -> greet_loop(Node) end).

greet_loop(Node) ->
    register(echo, self()),
    process_flag(trap_exit, true),
    io:format("ready ~s~n", [node()]),
    {swiftreg, Node} ! {hello, self()},
    receive
        {welcome, Term} -> io:format("welcomed ~p~n", [Term])
    after 10000 -> io:format("no welcome~n")
    end,
    loop().

loop() ->
    receive
        {echo, From, Msg} ->
            From ! {echoed, Msg};
        {monitor, Pid} ->
            erlang:monitor(process, Pid),
            io:format("monitoring ~p~n", [Pid]),
            Pid ! monitoring;
        {link_to, Pid} ->
            io:format("link ~p~n", [catch link(Pid)]),
            Pid ! linked;
        {'DOWN', _Ref, process, _Pid, Reason} ->
            io:format("down ~p~n", [Reason]);
        {'EXIT', _Pid, Reason} ->
            io:format("exit ~p~n", [Reason]);
        {soak, From, N} ->
            soak(From, 1, N),
            From ! done;
        {send_named, Name, Node, Msg} ->
            {Name, Node} ! Msg;
        {send_alias, Alias, Msg} ->
            Alias ! Msg;
        {big, From, Bytes} ->
            From ! binary:copy(<<0>>, Bytes);
        {nodes, From} ->
            From ! {nodes, nodes(hidden)};
        {exit_with, Reason} ->
            exit(Reason);
        {spawn_on, Node} ->
            Request = spawn_request(Node, erlang, self, [], [{reply, yes}]),
            receive
                {spawn_reply, Request, Result, Reason} -> io:format("spawn_reply ~p ~p~n", [Result, Reason])
            after 5000 -> io:format("spawn_reply timeout~n")
            end;
        Other ->
            io:format("unexpected ~p~n", [Other])
    end,
    loop().

soak(_, I, N) when I > N -> ok;
soak(From, I, N) ->
    From ! {seq, I},
    soak(From, I + 1, N).
