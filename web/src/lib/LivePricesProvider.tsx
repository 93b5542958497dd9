import { createContext, type ReactNode, useContext, useEffect, useReducer, useState } from "react";
import { applyFrame, type LivePrices, parseFrame, reconnectDelay } from "./livePrices";
import { parseEvent } from "./platformEvents";
import { usePlatformFeed } from "./PlatformStatusProvider";

export type StreamStatus = "connecting" | "live" | "offline";

interface LiveContext {
  prices: LivePrices;
  status: StreamStatus;
}

const Context = createContext<LiveContext>({ prices: {}, status: "connecting" });

/** The API sends a heartbeat every 15 s: a socket silent for longer than this is dead. */
const SILENCE_LIMIT_MS = 45_000;

function streamUrl(): string {
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${window.location.host}/api/v1/ws/prices`;
}

/**
 * One WebSocket for the whole app: every view reads the same live prices, and the platform
 * status hears the socket's events and reconnects.
 */
export function LivePricesProvider({ children }: { children: ReactNode }) {
  const [prices, dispatch] = useReducer(applyFrame, {});
  const [status, setStatus] = useState<StreamStatus>("connecting");
  const feed = usePlatformFeed();

  useEffect(() => {
    let socket: WebSocket | null = null;
    let timer: number | undefined;
    let attempt = 0;
    let stopped = false;
    let lastMessageAt = Date.now();
    let connectedBefore = false;

    const connect = () => {
      setStatus("connecting");
      socket = new WebSocket(streamUrl());
      socket.onopen = () => {
        attempt = 0;
        lastMessageAt = Date.now();
        setStatus("live");
        // Events sent while the socket was down are lost: every dataset may have moved.
        if (connectedBefore) feed.reconnected();
        connectedBefore = true;
      };
      socket.onmessage = (event: MessageEvent<string>) => {
        lastMessageAt = Date.now();
        const frame = parseFrame(event.data);
        if (frame) {
          dispatch(frame);
          return;
        }
        const platformEvent = parseEvent(event.data);
        if (platformEvent) feed.receive(platformEvent);
      };
      socket.onclose = () => {
        if (stopped) return;
        setStatus("offline");
        timer = window.setTimeout(connect, reconnectDelay(attempt++));
      };
    };
    connect();
    // A half-open connection never fires `close`: closing it ourselves triggers the reconnect.
    const watchdog = window.setInterval(() => {
      if (socket?.readyState === WebSocket.OPEN && Date.now() - lastMessageAt > SILENCE_LIMIT_MS) {
        socket.close();
      }
    }, 5_000);
    return () => {
      stopped = true;
      window.clearInterval(watchdog);
      window.clearTimeout(timer);
      if (socket?.readyState === WebSocket.CONNECTING) {
        // Closing a socket still connecting makes the browser log an error: close it once open.
        const pending = socket;
        pending.onopen = () => pending.close();
      } else {
        socket?.close();
      }
    };
  }, [feed]);

  return <Context.Provider value={{ prices, status }}>{children}</Context.Provider>;
}

export function useLivePrices(): LiveContext {
  return useContext(Context);
}
