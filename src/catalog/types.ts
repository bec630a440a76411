// The shape of catalog.json: the one global song list (docs/protocol.md, "Catalog").

export interface CatalogServer {
  id: string;
  host: string;
  port: number;
}

export interface CatalogSong {
  id: string;
  title: string;
  artist: string;
  durationSec: number;
  bitrateKbps: number;
  bytes: number;
  sha256: string;
  /** Which servers hold the song; empty for a song the catalog knows and no server holds. */
  servers: string[];
  /** A user's own MP3, relative to the catalog file; without it the file is generated. */
  file?: string;
  album?: string;
  year?: number;
}

export interface Catalog {
  servers: CatalogServer[];
  songs: CatalogSong[];
}

/** A catalog as loaded: the data, its version, and where it came from. */
export interface LoadedCatalog {
  catalog: Catalog;
  /** First 12 hex digits of sha256(RFC 8785 canonical JSON of the file). */
  version: string;
  /** Absolute path of catalog.json (song `file`s are relative to its folder). */
  path: string;
}
