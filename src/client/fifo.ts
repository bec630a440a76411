// A FIFO without Array#shift's copying: the pipelined requests of one connection, oldest first.

/** A head index into an array, reset whenever the FIFO empties (so the array never grows past the most ever outstanding). */
export class Fifo<T> {
  private items: Array<T | undefined> = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  peek(): T | undefined {
    return this.items[this.head];
  }

  push(item: T): void {
    this.items.push(item);
  }

  shift(): T | undefined {
    const item = this.items[this.head];
    if (item === undefined) return undefined;
    this.items[this.head++] = undefined; // drop the reference for the GC
    if (this.head === this.items.length) {
      this.items.length = 0;
      this.head = 0;
    }
    return item;
  }

  /** Empties the FIFO and returns what it held, oldest first. */
  drain(): T[] {
    const rest: T[] = [];
    for (let i = this.head; i < this.items.length; i++) {
      const item = this.items[i];
      if (item !== undefined) rest.push(item);
    }
    this.items = [];
    this.head = 0;
    return rest;
  }
}
