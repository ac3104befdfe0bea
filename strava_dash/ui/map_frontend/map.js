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

  // The selection in force, drawn as an outline: plotly keeps no shape of a map selection
  // across a redraw, and the URL's shape (rounded, thinned) is what filters the page.
  function shapeTrace(shape, colour) {
    if (!shape || typeof shape !== "object") return null;
    let lat;
    let lon;
    if (shape.kind === "box" && Array.isArray(shape.lat) && Array.isArray(shape.lng)) {
      const s = shape.lat[0], n = shape.lat[1], w = shape.lng[0], e = shape.lng[1];
      lat = [s, n, n, s, s];
      lon = [w, w, e, e, w];
    } else if (shape.kind === "lasso" && Array.isArray(shape.polygon) && shape.polygon.length >= 3) {
      lat = shape.polygon.map((v) => v[0]);
      lon = shape.polygon.map((v) => v[1]);
      lat.push(lat[0]);
      lon.push(lon[0]);
    } else {
      return null;
    }
    return {
      type: "scattermap",
      mode: "lines",
      lat: lat,
      lon: lon,
      fill: "toself",
      fillcolor: "rgba(120, 120, 120, 0.12)",
      line: { color: colour, width: 2 },
      hoverinfo: "skip",
      showlegend: false,
      name: "Selected area",
    };
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
    const key = JSON.stringify([revision, args.shape || null, height, theme || null]);
    setHeight(height);
    if (key === drawnKey) return;
    drawnKey = key;
    // plotly's responsive mode sizes the figure to 100% of this div: give it the height.
    gd.style.height = height + "px";

    const layout = Object.assign({}, figure.layout, {
      height: height,
      autosize: true,
      // Zoom, pan and the chosen tool survive reruns while the figure frames the same
      // view; a selection drawn by plotly is dropped whenever the shape in force changes.
      uirevision: args.uirevision || "map",
      selectionrevision: JSON.stringify(args.shape || null),
      datarevision: revision,
      dragmode: figure.layout.dragmode || "pan",
    });
    delete layout.width;
    if (theme) {
      layout.paper_bgcolor = theme.backgroundColor;
      layout.font = Object.assign({}, figure.layout.font, {
        color: theme.textColor,
        family: theme.font || (figure.layout.font && figure.layout.font.family),
      });
      layout.legend = Object.assign({}, figure.layout.legend, { bgcolor: "rgba(0,0,0,0)" });
    }
    const data = figure.data.slice();
    const outline = shapeTrace(args.shape, colour);
    if (outline) data.push(outline);
    const config = {
      scrollZoom: true,
      displaylogo: false,
      responsive: true,
      modeBarButtonsToAdd: ["select2d", "lasso2d"],
      // Never offer to upload the athlete's routes to Plotly's cloud.
      modeBarButtonsToRemove: ["sendChartToCloud", "sendDataToCloud"],
    };
    Plotly.react(gd, data, layout, config).then(() => {
      if (!listening) {
        listening = true;
        gd.on("plotly_selected", onSelected);
        // A double click in select or lasso mode: the athlete takes the selection away.
        gd.on("plotly_deselect", () => setValue({ kind: "clear" }));
      }
    });
  }

  window.addEventListener("message", (event) => {
    if (event.source !== window.parent) return;
    const data = event.data;
    if (!data || data.type !== "streamlit:render") return;
    render(data.args || {}, data.theme);
  });
  send("streamlit:componentReady", { apiVersion: 1 });
})();
