import type { EventName, Events } from '../../shared/contract';

type Listener = (name: EventName, payload: unknown) => void;

/** The engine's pushed events, typed by the contract's event map. */
export class EngineEvents {
  private readonly listeners = new Set<Listener>();

  emit<Name extends EventName>(name: Name, payload: Events[Name]): void {
    for (const listener of this.listeners) {
      try {
        listener(name, payload);
      } catch (error) {
        console.error(`paydesk: a listener of ${name} failed`, error);
      }
    }
  }

  onAny(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  on<Name extends EventName>(name: Name, listener: (payload: Events[Name]) => void): () => void {
    return this.onAny((eventName, payload) => {
      if (eventName === name) listener(payload as Events[Name]);
    });
  }
}
