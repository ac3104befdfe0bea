// The route map as a Streamlit component (v1 protocol, no build step): draws the figure
// the server sends with plotly.js and reports the shape the athlete draws with the box or
// lasso tool, in degrees. See strava_dash/ui/map_component.py for the Python side.
//
// Protocol (streamlit/components/v1): this page posts "streamlit:componentReady"
// (apiVersion 1) to its parent; the parent posts "streamlit:render" with {args, theme};
// this page posts "streamlit:setComponentValue" only when the athlete selects, and
// "streamlit:setFrameHeight" with the figure's height.
(function () {
  "use strict";

  if (!window.Plotly) {
    // The app's cached route was not there: the copy next to this page.
    const local = document.createElement("script");
    local.src = document.querySelector('meta[name="plotly-js"]').content;
    local.onload = start;
    document.head.appendChild(local);
  } else {
    start();
  }
})();

function start() {
  "use strict";

  const gd = document.getElementById("map");
  // Values carry a nonce: the same shape drawn twice is still a new event, and a new page
  // (a new token) never repeats an old nonce.
  const token = Math.random().toString(36).slice(2, 10) + Date.now().toString(36);
  let counter = 0;
  let figure = null;
  let revision = null;
  let drawnKey = null;
  let listening = false;
  let frameHeight = null;

  function send(type, data) {
    window.parent.postMessage(Object.assign({ isStreamlitMessage: true, type: type }, data), "*");
  }

  function setValue(value) {
    counter += 1;
    value.nonce = token + "-" + counter;
    send("streamlit:setComponentValue", { value: value, dataType: "json" });
  }

  function setHeight(height) {
    if (height !== frameHeight) {
      frameHeight = height;
      send("streamlit:setFrameHeight", { height: height });
    }
  }

  function decodeFigure(raw) {
    const text = typeof raw === "string" ? raw : new TextDecoder().decode(raw);
    return JSON.parse(text);
  }

  // The selection in force, drawn as map layers (not a trace: the traces, and so
  // plotly's work on 10,000 routes, stay untouched when only the selection changes).
  // plotly keeps no shape of a map selection across a redraw, and the URL's shape
  // (rounded, thinned) is what filters the page.
  function shapeLayers(shape, colour) {
    if (!shape || typeof shape !== "object") return [];
    let ring;
    if (shape.kind === "box" && Array.isArray(shape.lat) && Array.isArray(shape.lng)) {
      const s = shape.lat[0], n = shape.lat[1], w = shape.lng[0], e = shape.lng[1];
      ring = [[w, s], [w, n], [e, n], [e, s], [w, s]];
    } else if (shape.kind === "lasso" && Array.isArray(shape.polygon) && shape.polygon.length >= 3) {
      ring = shape.polygon.map((v) => [v[1], v[0]]);
      ring.push(ring[0]);
    } else {
      return [];
    }
    const source = { type: "Feature", properties: {}, geometry: { type: "Polygon", coordinates: [ring] } };
    return [
      { name: "Selected area", sourcetype: "geojson", source: source, type: "fill",
        color: "rgb(120, 120, 120)", opacity: 0.15, below: "traces" },
      { name: "Selected area outline", sourcetype: "geojson", source: source, type: "line",
        color: colour, line: { width: 2 } },
    ];
  }

  // Route tiles drawn by the app's server come as a raster layer "api/tiles/…" (the server
  // does not know the address it is reached at; this page is
  // <app root>/component/<name>/index.html). This page adds that layer to MapLibre itself,
  // under plotly's traces, rather than through plotly's layout: plotly sometimes left it
  // out when it created the map (seen in Chromium on revisits of the Map page), and the
  // routes then never showed.
  const APP_ROOT = new URL("../../", window.location.href).href;
  // A screen with two device pixels per CSS pixel gets 512 px tiles for the same area.
  const TILE_SUFFIX = window.devicePixelRatio >= 1.5 ? "@2x.png" : ".png";
  const TILE_SOURCE = "route-tiles";
  let tileUrl = null;

  function isRouteTiles(layer) {
    return !!layer && layer.sourcetype === "raster" && Array.isArray(layer.source) &&
      typeof layer.source[0] === "string" && layer.source[0].startsWith("api/tiles/");
  }

  function mapOf() {
    const sub = gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot;
    return sub && sub.map;
  }

  function ensureTiles() {
    const map = mapOf();
    if (!map || !map.style || !map.isStyleLoaded || !map.style._loaded) return;
    const source = map.getSource(TILE_SOURCE);
    if (!tileUrl) {
      if (map.getLayer(TILE_SOURCE)) map.removeLayer(TILE_SOURCE);
      if (source) map.removeSource(TILE_SOURCE);
      return;
    }
    if (!source) {
      map.addSource(TILE_SOURCE, { type: "raster", tiles: [tileUrl], tileSize: 256 });
    } else if (!source.tiles || source.tiles[0] !== tileUrl) {
      source.setTiles([tileUrl]);
    }
    if (!map.getLayer(TILE_SOURCE)) {
      const firstTrace = map.getStyle().layers.find((l) => l.id.indexOf("plotly-trace-layer") === 0);
      map.addLayer(
        { id: TILE_SOURCE, type: "raster", source: TILE_SOURCE,
          paint: { "raster-fade-duration": 0 } },
        firstTrace ? firstTrace.id : undefined);
    }
  }

  function onSelected(event) {
    if (!event) return;
    const range = event.range && event.range.map;
    const lasso = event.lassoPoints && event.lassoPoints.map;
    if (Array.isArray(range) && range.length === 2) {
      // [[lon, lat] of the top-left corner, [lon, lat] of the bottom-right one]
      const lngs = [range[0][0], range[1][0]];
      const lats = [range[0][1], range[1][1]];
      setValue({
        kind: "box",
        lat: [Math.min(lats[0], lats[1]), Math.max(lats[0], lats[1])],
        lng: [Math.min(lngs[0], lngs[1]), Math.max(lngs[0], lngs[1])],
      });
    } else if (Array.isArray(lasso) && lasso.length >= 3) {
      // plotly gives [lon, lat]; the server takes [lat, lng]
      setValue({ kind: "lasso", polygon: lasso.map((p) => [p[1], p[0]]) });
    }
  }

  function render(args, theme) {
    const height = Number(args.height) > 0 ? Number(args.height) : 650;
    if (args.revision !== revision || figure === null) {
      figure = decodeFigure(args.figure);
      revision = args.revision;
    }
    const colour = (theme && theme.textColor) || "#31333F";
    const selectable = args.selectable !== false;
    const key = JSON.stringify([revision, args.shape || null, height, theme || null, selectable]);
    setHeight(height);
    if (key === drawnKey) return;
    drawnKey = key;
    // For whoever waits on this map (the browser tests, the benchmark): a draw is asked
    // for; "drawn" catches up when it is done.
    wanted += 1;
    gd.dataset.wanted = String(wanted);

    // A fresh copy each time: plotly writes into the layout objects it is given.
    const base = JSON.parse(JSON.stringify(figure.layout));
    const layout = Object.assign(base, {
      height: height,
      autosize: true,
      // Zoom, pan and the chosen tool survive reruns while the figure frames the same
      // view; a selection drawn by plotly is dropped whenever the shape in force changes.
      uirevision: args.uirevision || "map",
      selectionrevision: JSON.stringify(args.shape || null),
      datarevision: revision,
      dragmode: base.dragmode || "pan",
    });
    delete layout.width;
    if (theme) {
      layout.paper_bgcolor = theme.backgroundColor;
      layout.font = Object.assign(base.font || {}, {
        color: theme.textColor,
        family: theme.font || (base.font && base.font.family),
      });
      layout.legend = Object.assign(base.legend || {}, { bgcolor: "rgba(0,0,0,0)" });
    }
    const map = Object.assign({}, base.map);
    const tiles = (map.layers || []).filter(isRouteTiles);
    tileUrl = tiles.length ? APP_ROOT + tiles[0].source[0].replace(/\.png$/, TILE_SUFFIX) : null;
    gd.setAttribute("data-route-tiles", tileUrl || "");
    map.layers = (map.layers || []).filter((l) => !isRouteTiles(l))
      .concat(shapeLayers(args.shape, colour));
    layout.map = map;
    // Start density takes no selection: no box or lasso buttons to press in vain. Taken
    // away in the layout, not the config: plotly makes a new map (WebGL context, worker,
    // every layer) whenever the config changes, and switching modes would then cost as
    // much as a first visit.
    if (!selectable) {
      layout.modebar = Object.assign({}, base.modebar, {
        remove: ((base.modebar && base.modebar.remove) || []).concat(["select2d", "lasso2d"]),
      });
    }
    if (!selectable && (layout.dragmode === "select" || layout.dragmode === "lasso")) {
      layout.dragmode = "pan";
    }
    pending = layout;
    schedule(drawnOnce ? SETTLE_MS : 0);
  }

  const CONFIG = {
    scrollZoom: true,
    displaylogo: false,
    modeBarButtonsToAdd: ["select2d", "lasso2d"],
    // Never offer to upload the athlete's routes to Plotly's cloud.
    modeBarButtonsToRemove: ["sendChartToCloud", "sendDataToCloud"],
  };
  // The iframe's width follows the column: Streamlit sets it, and for a moment while the
  // page above the map changes (a chip appears) it is a default 300 px, together with the
  // new arguments. Drawing waits until that has settled, so 10,000 routes are not drawn
  // narrow and then wide. A width change is a resize, then the same figure drawn once
  // more: a resize alone leaves the legend where the narrow figure's extra legend rows
  // had put it (plotly's margin pass for a legend above the plot).
  const SETTLE_MS = 120;
  let pending = null;
  let timer = null;
  let drawnOnce = false;
  let wanted = 0;

  function schedule(delay) {
    window.clearTimeout(timer);
    timer = window.setTimeout(draw, delay);
  }

  // One draw at a time: a resize or a new figure while plotly is still creating the map
  // (MapLibre loads its style asynchronously) raced it, and plotly then sometimes never
  // added the route tiles' raster layer (seen in Chromium on a revisit of the Map page).
  let inFlight = Promise.resolve();

  function draw() {
    timer = null;
    if (figure === null) return;
    inFlight = inFlight.then(drawNow, drawNow);
  }

  function drawNow() {
    const layout = pending || Object.assign({}, gd.layout);
    const target = String(wanted);
    pending = null;
    const resized = drawnOnce && gd._fullLayout.width !== window.innerWidth;
    drawnOnce = true;
    return (resized ? Plotly.Plots.resize(gd) : Promise.resolve())
      .then(() => {
        const drawing = Plotly.react(gd, figure.data, layout, CONFIG);
        watchMap(100); // the route tiles load while plotly still works on its traces
        return drawing;
      })
      // plotly rejects the draw when MapLibre reports any error while the map is being
      // made, a basemap tile that failed to load included (an offline or busy tile
      // server): the map is there all the same, and still needs its tiles and events.
      .then(afterDraw, afterDraw)
      .then(() => { gd.dataset.drawn = target; });
  }

  let watched = null;

  function afterDraw() {
    if (!listening) {
      listening = true;
      gd.on("plotly_selected", onSelected);
      // A double click in select or lasso mode: the athlete takes the selection away.
      gd.on("plotly_deselect", () => setValue({ kind: "clear" }));
    }
    watchMap(100);
  }

  // plotly makes the MapLibre map a moment after it is asked to draw; look for it every
  // 50 ms (up to `tries` times), then keep the route tiles on it.
  function watchMap(tries) {
    const map = mapOf();
    if (!map) {
      if (tries > 0) window.setTimeout(() => watchMap(tries - 1), 50);
      return;
    }
    if (map !== watched) {
      // plotly may set the map's style again (which drops every source), or still be
      // loading it when its draw was rejected: put the tiles in as soon as a style has
      // loaded, and check again whenever the map comes to rest.
      watched = map;
      map.on("styledata", ensureTiles);
      map.on("idle", ensureTiles);
      // When the map last came to rest with everything loaded, on the epoch clock (the
      // parent page's clock differs): a revisit that changed nothing leaves it as it was.
      map.on("idle", () => { gd.dataset.idleAt = String(performance.timeOrigin + performance.now()); });
      lowResolutionWhileMoving(map);
    }
    ensureTiles();
  }

  // Without a GPU (software WebGL: SwiftShader, llvmpipe…) every frame of a zoom or pan
  // is drawn by the CPU and read back for the page: 60–150 ms a frame on a 1,000 px map,
  // and the page froze that long at each step. While the athlete moves the map, and until
  // the tiles of the new view are in, it is drawn with a quarter of the pixels (frames of
  // 20,000 routes' tiles went from 60-80 ms to under 50 ms here); once at rest, once more
  // at full sharpness. With a GPU nothing changes.
  const SOFTWARE_GL = /SwiftShader|llvmpipe|softpipe|Software|Basic Render/i;
  const MOVING_RESOLUTION = 0.5;

  function softwareRendered(map) {
    try {
      const gl = map.painter.context.gl;
      const info = gl.getExtension("WEBGL_debug_renderer_info");
      return SOFTWARE_GL.test(String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER)));
    } catch (error) {
      return false;
    }
  }

  // Sharp again only after a moment at rest: between two turns of the wheel the map is
  // often briefly idle, and a sharp frame there costs as much as the freeze it avoids.
  const SHARP_AFTER_MS = 400;

  function lowResolutionWhileMoving(map) {
    if (typeof map.setPixelRatio !== "function" || !softwareRendered(map)) return;
    const sharp = map.getPixelRatio();
    let lowered = false;
    let timer = null;
    function lower() {
      window.clearTimeout(timer);
      if (lowered) return;
      lowered = true;
      map.setPixelRatio(sharp * MOVING_RESOLUTION);
    }
    // Only the athlete's own moves (plotly sets the view on every draw, too): a turn of
    // the wheel, a drag, a touch, whatever else moves the map from an input event.
    map.on("wheel", lower);
    map.on("dragstart", lower);
    map.on("touchstart", lower);
    map.on("movestart", (event) => {
      window.clearTimeout(timer);
      if (event.originalEvent) lower();
    });
    map.on("idle", () => {
      if (!lowered) return;
      window.clearTimeout(timer);
      timer = window.setTimeout(() => {
        if (map.isMoving()) return;  // its own idle comes later
        lowered = false;
        map.setPixelRatio(sharp);
      }, SHARP_AFTER_MS);
    });
  }

  window.addEventListener("resize", () => schedule(SETTLE_MS));

  window.addEventListener("message", (event) => {
    if (event.source !== window.parent) return;
    const data = event.data;
    if (!data || data.type !== "streamlit:render") return;
    // Another page is showing (strava_dash/ui/map_host.py): keep the map as it is, ready
    // for the next visit, and spend nothing on it meanwhile.
    if (data.args && data.args.hidden) return;
    render(data.args || {}, data.theme);
  });
  send("streamlit:componentReady", { apiVersion: 1 });
}
