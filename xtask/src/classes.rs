//! ADE20K classes used by the synthetic scenes: canonical WordNet names, class
//! indices and hypernym chains as the release writes them. Some chains are
//! deliberately short or odd, as real ones sometimes are.

/// An ADE20K object class.
#[derive(Clone, Copy, Debug)]
pub struct Class {
    /// Canonical (WordNet-corrected) name, synonyms separated by ", ".
    pub name: &'static str,
    /// Class index: the class value of the object's pixels in the class maps.
    pub name_ndx: u32,
    /// WordNet chain from the class up to `entity`.
    pub hypernym: &'static [&'static str],
}

/// A hypernym chain of a man-made thing: the given links, then the common
/// tail from "artifact, artefact" up to "entity".
macro_rules! artifact_chain {
    ($($link:expr),+ $(,)?) => {
        &[
            $($link,)+
            "artifact, artefact",
            "whole, unit",
            "object, physical object",
            "physical entity",
            "entity",
        ]
    };
}

/// Trash can; small, used for a wholly hidden object.
pub const ASHCAN: Class = Class {
    name: "ashcan, trash can, garbage can, wastebin, ash bin, ash-bin, ashbin, dustbin, trash barrel, trash bin",
    name_ndx: 113,
    hypernym: artifact_chain!["ashcan, trash can, garbage can, wastebin, ash bin, ash-bin, ashbin, dustbin, trash barrel, trash bin", "bin", "container", "instrumentality, instrumentation"],
};

/// Car.
pub const CAR: Class = Class {
    name: "car, auto, automobile, machine, motorcar",
    name_ndx: 401,
    hypernym: artifact_chain![
        "car, auto, automobile, machine, motorcar",
        "motor vehicle, automotive vehicle",
        "self-propelled vehicle",
        "wheeled vehicle",
        "vehicle",
        "conveyance, transport",
        "instrumentality, instrumentation"
    ],
};

/// Door (of a room or of a car).
pub const DOOR: Class = Class {
    name: "door",
    name_ndx: 774,
    hypernym: artifact_chain![
        "door",
        "movable barrier",
        "barrier",
        "obstruction, obstructor, obstructer, impediment, impedimenta",
        "structure, construction"
    ],
};

/// Floor.
pub const FLOOR: Class = Class {
    name: "floor, flooring",
    name_ndx: 976,
    hypernym: artifact_chain!["floor, flooring", "horizontal surface, level", "surface"],
};

/// Handle; its chain stops at the class itself.
pub const HANDLE: Class = Class {
    name: "handle, grip, handgrip, hold",
    name_ndx: 1180,
    hypernym: &["handle, grip, handgrip, hold"],
};

/// Hinge.
pub const HINGE: Class = Class {
    name: "hinge, flexible joint",
    name_ndx: 1195,
    hypernym: artifact_chain![
        "hinge, flexible joint",
        "joint",
        "junction, conjunction",
        "connection, connexion, connector, connecter, connective",
        "instrumentality, instrumentation"
    ],
};

/// Person.
pub const PERSON: Class = Class {
    name: "person, individual, someone, somebody, mortal, soul",
    name_ndx: 1831,
    hypernym: &[
        "person, individual, someone, somebody, mortal, soul",
        "organism, being",
        "living thing, animate thing",
        "whole, unit",
        "object, physical object",
        "physical entity",
        "entity",
    ],
};

/// Plant, the living thing. Shares its first synonym with [`PLANT_WORKS`].
pub const PLANT_FLORA: Class = Class {
    name: "plant, flora, plant life",
    name_ndx: 1910,
    hypernym: &[
        "plant, flora, plant life",
        "organism, being",
        "living thing, animate thing",
        "whole, unit",
        "object, physical object",
        "physical entity",
        "entity",
    ],
};

/// Plant, the factory. Shares its first synonym with [`PLANT_FLORA`].
pub const PLANT_WORKS: Class = Class {
    name: "plant, works, industrial plant",
    name_ndx: 1911,
    hypernym: artifact_chain![
        "plant, works, industrial plant",
        "building complex, complex",
        "structure, construction"
    ],
};

/// Flowerpot; an odd chain that repeats itself and skips most links.
pub const POT: Class = Class {
    name: "pot, flowerpot",
    name_ndx: 1963,
    hypernym: &["pot, flowerpot", "container", "pot", "entity"],
};

/// Road.
pub const ROAD: Class = Class {
    name: "road, route",
    name_ndx: 2097,
    hypernym: artifact_chain!["road, route", "way"],
};

/// Signboard.
pub const SIGNBOARD: Class = Class {
    name: "signboard, sign",
    name_ndx: 2262,
    hypernym: artifact_chain!["signboard, sign", "board", "sheet, flat solid"],
};

/// Sky.
pub const SKY: Class = Class {
    name: "sky",
    name_ndx: 2420,
    hypernym: &[
        "sky",
        "atmosphere",
        "gas",
        "fluid",
        "matter",
        "physical entity",
        "entity",
    ],
};

/// Tree.
pub const TREE: Class = Class {
    name: "tree",
    name_ndx: 2855,
    hypernym: &[
        "tree",
        "woody plant, ligneous plant",
        "vascular plant, tracheophyte",
        "plant, flora, plant life",
        "organism, being",
        "living thing, animate thing",
        "whole, unit",
        "object, physical object",
        "physical entity",
        "entity",
    ],
};

/// Wall.
pub const WALL: Class = Class {
    name: "wall",
    name_ndx: 2978,
    hypernym: artifact_chain!["wall", "partition, divider", "structure, construction"],
};

/// Wheel.
pub const WHEEL: Class = Class {
    name: "wheel",
    name_ndx: 3054,
    hypernym: artifact_chain![
        "wheel",
        "simple machine",
        "machine",
        "device",
        "instrumentality, instrumentation"
    ],
};

/// Window (of a car).
pub const WINDOW: Class = Class {
    name: "window",
    name_ndx: 3055,
    hypernym: artifact_chain![
        "window",
        "framework",
        "supporting structure",
        "structure, construction"
    ],
};

/// Windowpane: the glass of a window.
pub const WINDOWPANE: Class = Class {
    name: "windowpane, window",
    name_ndx: 3057,
    hypernym: &[
        "windowpane, window",
        "pane, pane of glass, window glass",
        "plate glass, sheet glass",
        "glass",
        "material, stuff",
        "substance",
        "matter",
        "physical entity",
        "entity",
    ],
};

/// The hypernym chain of a class of the frequency tables: the class itself,
/// then the links above it for the kind of thing it is.
macro_rules! chain {
    ($name:expr, animal) => {
        &[
            $name,
            "animal, animate being, beast, brute, creature, fauna",
            "organism, being",
            "living thing, animate thing",
            "whole, unit",
            "object, physical object",
            "physical entity",
            "entity",
        ]
    };
    ($name:expr, appliance) => {
        artifact_chain![
            $name,
            "home appliance, household appliance",
            "appliance",
            "durables, durable goods, consumer durables",
            "consumer goods",
            "commodity, trade good, good"
        ]
    };
    ($name:expr, body) => {
        &[
            $name,
            "body part",
            "part, piece",
            "thing",
            "physical entity",
            "entity",
        ]
    };
    ($name:expr, clothing) => {
        artifact_chain![
            $name,
            "clothing, article of clothing, vesture, wear, wearable, habiliment",
            "consumer goods",
            "commodity, trade good, good"
        ]
    };
    ($name:expr, container) => {
        artifact_chain![$name, "container", "instrumentality, instrumentation"]
    };
    ($name:expr, covering) => {
        artifact_chain![$name, "covering"]
    };
    ($name:expr, craft) => {
        artifact_chain![
            $name,
            "craft",
            "vehicle",
            "conveyance, transport",
            "instrumentality, instrumentation"
        ]
    };
    ($name:expr, decoration) => {
        artifact_chain![$name, "decoration, ornament, ornamentation"]
    };
    ($name:expr, device) => {
        artifact_chain![$name, "device", "instrumentality, instrumentation"]
    };
    ($name:expr, food) => {
        &[
            $name,
            "food, solid food",
            "solid",
            "matter",
            "physical entity",
            "entity",
        ]
    };
    ($name:expr, furniture) => {
        artifact_chain![
            $name,
            "furniture, piece of furniture, article of furniture",
            "furnishing",
            "instrumentality, instrumentation"
        ]
    };
    ($name:expr, land) => {
        &[
            $name,
            "geological formation, formation",
            "object, physical object",
            "physical entity",
            "entity",
        ]
    };
    ($name:expr, lighting) => {
        artifact_chain![
            $name,
            "source of illumination",
            "device",
            "instrumentality, instrumentation"
        ]
    };
    ($name:expr, matter) => {
        &[
            $name,
            "material, stuff",
            "substance",
            "matter",
            "physical entity",
            "entity",
        ]
    };
    // Some chains stop at the class itself, as in the release.
    ($name:expr, named) => {
        &[$name]
    };
    ($name:expr, part) => {
        &[
            $name,
            "part, portion, component part, component, constituent",
            "relation",
            "abstraction, abstract entity",
            "entity",
        ]
    };
    ($name:expr, plant) => {
        &[
            $name,
            "vascular plant, tracheophyte",
            "plant, flora, plant life",
            "organism, being",
            "living thing, animate thing",
            "whole, unit",
            "object, physical object",
            "physical entity",
            "entity",
        ]
    };
    ($name:expr, structure) => {
        artifact_chain![$name, "structure, construction"]
    };
    ($name:expr, vehicle) => {
        artifact_chain![
            $name,
            "wheeled vehicle",
            "vehicle",
            "conveyance, transport",
            "instrumentality, instrumentation"
        ]
    };
    ($name:expr, water) => {
        &[
            $name,
            "body of water, water",
            "thing",
            "physical entity",
            "entity",
        ]
    };
    ($name:expr, way) => {
        artifact_chain![$name, "way"]
    };
}

/// A class of the frequency tables: index, canonical name, kind (see `chain!`).
macro_rules! class {
    ($name_ndx:expr, $name:expr, $kind:ident) => {
        Class {
            name: $name,
            name_ndx: $name_ndx,
            hypernym: chain!($name, $kind),
        }
    };
}

/// Classes of whole objects, most frequent first, for synthetic data whose
/// class frequencies are skewed like the release's. Indices follow the
/// release's alphabetical order of names; some first synonyms are shared
/// between classes (and with [`PART_CLASSES`]), as in the release.
pub const OBJECT_CLASSES: &[Class] = &[
    WALL,
    WINDOWPANE,
    PERSON,
    FLOOR,
    class!(435, "ceiling", structure),
    TREE,
    class!(307, "building, edifice", structure),
    SKY,
    class!(360, "cabinet", furniture),
    class!(452, "chair", furniture),
    CAR,
    class!(1449, "light, light source", named),
    class!(1365, "lamp", lighting),
    class!(2646, "table", furniture),
    DOOR,
    class!(283, "box", container),
    class!(1736, "painting, picture", decoration),
    PLANT_FLORA,
    class!(689, "curtain, drape, drapery, mantle, pall", covering),
    ROAD,
    class!(1078, "grass", plant),
    SIGNBOARD,
    class!(2257, "sidewalk, pavement", way),
    class!(201, "bed", furniture),
    class!(2200, "shelf", furniture),
    class!(698, "cushion", covering),
    class!(1880, "pillow", covering),
    POT,
    class!(254, "book", named),
    class!(272, "bottle", container),
    class!(2947, "vase", decoration),
    class!(1598, "mountain, mount", land),
    class!(2102, "rock, stone", matter),
    class!(909, "fence, fencing", structure),
    class!(2180, "sea", water),
    class!(1555, "mirror", device),
    class!(2118, "rug, carpet, carpeting", covering),
    class!(2495, "spotlight, spot", lighting),
    class!(1861, "picture, image, icon, ikon", decoration),
    class!(2596, "streetlight, street lamp", lighting),
    class!(2154, "sconce", lighting),
    class!(929, "field", land),
    class!(94, "armchair", furniture),
    class!(2185, "seat", furniture),
    class!(723, "desk", furniture),
    class!(2997, "wardrobe, closet, press", furniture),
    class!(987, "flower", plant),
    class!(537, "column, pillar", structure),
    class!(2020, "railing, rail", structure),
    class!(178, "base, pedestal, stand", structure),
    class!(189, "bathtub, bathing tub, bath, tub", container),
    class!(477, "chest of drawers, chest, bureau, dresser", furniture),
    class!(596, "counter", furniture),
    class!(2133, "sand", matter),
    class!(2341, "sink", container),
    class!(2428, "skyscraper", structure),
    class!(963, "fireplace, hearth, open fireplace", structure),
    class!(2049, "refrigerator, icebox", appliance),
    class!(1067, "grandstand, covered stand", structure),
    class!(1810, "path", way),
    class!(2529, "stairs, steps", way),
    class!(2123, "runway", way),
    class!(409, "case, display case, showcase, vitrine", furniture),
    class!(1953, "pool table, billiard table, snooker table", furniture),
    class!(2159, "screen door, screen", structure),
    class!(2537, "stairway, staircase", way),
    class!(2087, "river", water),
    class!(295, "bridge, span", structure),
    class!(260, "bookcase", furniture),
    class!(236, "blind, screen", covering),
    class!(528, "coffee table, cocktail table", furniture),
    class!(2755, "toilet, can, commode, crapper, pot, potty, stool, throne", device),
    class!(1194, "hill", land),
    class!(207, "bench", furniture),
    class!(604, "countertop", structure),
    class!(2579, "stove, kitchen stove, range, kitchen range, cooking stove", appliance),
    class!(1746, "palm, palm tree", plant),
    class!(1312, "kitchen island", furniture),
    class!(554, "computer, computing machine, computing device, data processor, electronic computer, information processing system", device),
    class!(2638, "swivel chair", furniture),
    class!(242, "boat", craft),
    class!(166, "bar", furniture),
    class!(75, "arcade machine", device),
    class!(1227, "hovel, hut, hutch, shack, shanty", structure),
    class!(342, "bus, autobus, coach, charabanc, double-decker, jitney, motorbus, motorcoach, omnibus, passenger vehicle", vehicle),
    class!(2780, "towel", covering),
    class!(2865, "truck, motortruck", vehicle),
    class!(2788, "tower", structure),
    class!(469, "chandelier, pendant, pendent", lighting),
    class!(119, "awning, sunshade, sunblind", covering),
    class!(266, "booth, cubicle, stall, kiosk", structure),
    class!(2704, "television receiver, television, television set, tv, tv set, idiot box, boob tube, telly, goggle box", device),
    class!(19, "airplane, aeroplane, plane", craft),
    class!(732, "dirt track", way),
    class!(56, "apparel, wearing apparel, dress, clothes", clothing),
    class!(1939, "pole", structure),
    class!(1375, "land, ground, soil", land),
    class!(160, "bannister, banister, balustrade, balusters, handrail", structure),
    class!(862, "escalator, moving staircase, moving stairway", device),
    class!(1714, "ottoman, pouf, pouffe, puff, hassock", furniture),
    class!(301, "buffet, sideboard", furniture),
    class!(1958, "poster, posting, placard, notice, bill, card", decoration),
    class!(2512, "stage", structure),
    class!(2937, "van", vehicle),
    class!(2205, "ship", craft),
    class!(1021, "fountain", structure),
    class!(571, "conveyer belt, conveyor belt, conveyer, conveyor, transporter", device),
    class!(383, "canopy", covering),
    class!(3006, "washer, automatic washer, washing machine", appliance),
    class!(1924, "plaything, toy", named),
    class!(2621, "swimming pool, swimming bath, natatorium", structure),
    class!(2571, "stool", furniture),
    class!(172, "barrel, cask", container),
    class!(184, "basket, handbasket", container),
    class!(3035, "waterfall, falls", water),
    class!(2713, "tent, collapsible shelter", structure),
    class!(137, "bag", container),
    class!(1545, "minibike, motorbike", vehicle),
    class!(621, "cradle", furniture),
    class!(1725, "oven", appliance),
    class!(154, "ball", named),
    class!(999, "food, solid food", food),
    class!(2562, "step, stair", way),
    class!(2671, "tank, storage tank", container),
    class!(2805, "trade name, brand name, brand, marque", named),
    class!(1534, "microwave, microwave oven", appliance),
    class!(38, "animal, animate being, beast, brute, creature, fauna", animal),
    class!(213, "bicycle, bike, cycle", vehicle),
    class!(1354, "lake", water),
    class!(749, "dishwasher, dish washer, dishwashing machine", appliance),
    class!(2169, "screen, silver screen, projection screen", device),
    class!(231, "blanket, cover", covering),
    class!(2174, "sculpture", decoration),
    class!(1206, "hood, exhaust hood", device),
    class!(2813, "traffic light, traffic signal, stoplight", lighting),
    class!(2838, "tray", container),
    ASHCAN,
    class!(888, "fan", device),
    class!(1870, "pier, wharf, wharfage, dock", structure),
    class!(655, "crt screen", device),
    class!(1915, "plate", container),
    class!(1577, "monitor, monitoring device", device),
    class!(325, "bulletin board, notice board", decoration),
    class!(2236, "shower", device),
    class!(2011, "radiator", device),
    class!(1055, "glass, drinking glass", container),
    class!(503, "clock", device),
    class!(969, "flag", decoration),
    class!(2629, "switch, electric switch, electrical switch", device),
    class!(2721, "text, textual matter", named),
    class!(2988, "wall socket, wall plug, electric outlet, electrical outlet, outlet, electric receptacle", device),
    class!(1269, "jar", container),
    class!(278, "bowl", container),
    class!(664, "cup", container),
    class!(377, "candlestick, candle holder", lighting),
    class!(1322, "knife", device),
    class!(2696, "telephone, phone, telephone set", device),
    class!(1290, "keyboard", device),
    class!(1386, "laptop, laptop computer", device),
    class!(1982, "printer, printing machine", device),
    class!(2470, "speaker, loudspeaker, speaker unit, loudspeaker system, speaker system", device),
    class!(2059, "remote control, remote", device),
    class!(131, "backpack, back pack, knapsack, packsack, rucksack, haversack", container),
    class!(1169, "handbag, purse, pocketbook", container),
    class!(2906, "umbrella", covering),
    class!(1184, "hat, chapeau, lid", clothing),
    class!(2210, "shoe", clothing),
    class!(1481, "mailbox, letter box", container),
    class!(956, "fire hydrant, fireplug", device),
    class!(1789, "parking meter", device),
    class!(562, "cone, traffic cone", named),
    class!(248, "bollard, bitt", structure),
    class!(225, "bird", animal),
    class!(766, "dog, domestic dog, canis familiaris", animal),
    class!(426, "cat, true cat", animal),
    class!(1216, "horse, equus caballus", animal),
    class!(613, "cow", animal),
    class!(348, "bush, shrub", plant),
    class!(1192, "hedge, hedgerow", plant),
    class!(2241, "shutter", covering),
    class!(142, "balcony", structure),
    class!(486, "chimney", structure),
    class!(2107, "roof", structure),
    class!(1044, "gate", structure),
    class!(681, "curtain rod", device),
    class!(2545, "statue", decoration),
    class!(372, "candle, taper, wax light", lighting),
    class!(1471, "magazine, mag", named),
    class!(1661, "newspaper, paper", named),
    class!(936, "figurine, statuette", decoration),
    class!(902, "faucet, spigot", device),
    class!(2453, "soap dispenser", container),
    class!(2746, "toilet tissue, toilet paper, bathroom tissue", named),
    class!(1778, "paper towel", named),
    class!(520, "coat rack", furniture),
    class!(1183, "hanger", device),
    class!(828, "dresser", furniture),
    class!(1672, "nightstand, night table", furniture),
    class!(1187, "headboard", furniture),
    class!(1513, "mattress", furniture),
    class!(638, "crib, cot", furniture),
    class!(855, "easel", furniture),
    class!(1851, "piano, pianoforte, forte-piano", device),
    class!(1123, "guitar", device),
    class!(835, "drum, membranophone, tympan", device),
    class!(1934, "podium", structure),
    class!(28, "altar", structure),
    class!(1841, "pew, church bench", furniture),
    class!(2520, "stained glass", decoration),
    class!(1704, "organ", device),
    class!(460, "chalkboard, blackboard", decoration),
    class!(1992, "projector", device),
    class!(942, "file cabinet, filing cabinet", furniture),
    class!(1693, "office chair", furniture),
    class!(1799, "partition, divider", structure),
    class!(3016, "water cooler", appliance),
    class!(2958, "vending machine", device),
    class!(418, "cash register, register", device),
    class!(2226, "shopping cart", vehicle),
    class!(1973, "price tag", named),
    class!(2221, "shop window", structure),
    class!(1502, "mannequin, manikin, mannikin, manakin, form", decoration),
    class!(2001, "rack", furniture),
    class!(757, "display window", structure),
    class!(1524, "menu", named),
    class!(1640, "napkin, table napkin", covering),
    class!(3478, "wine glass", container),
    class!(2679, "teapot", container),
    class!(1280, "kettle, boiler", container),
    class!(1757, "pan, cooking pan", container),
    class!(1890, "pitcher, ewer", container),
    class!(2654, "tablecloth", covering),
    class!(1900, "placemat", covering),
    class!(740, "dish rack", furniture),
    class!(715, "cutting board", named),
    class!(2479, "spice rack", furniture),
    class!(868, "extractor fan", device),
    class!(2040, "range hood", device),
    class!(9, "air conditioner, air conditioning", appliance),
    class!(1191, "heater, warmer", appliance),
    class!(2730, "thermostat", device),
    class!(2437, "smoke detector", device),
    class!(781, "doorframe, doorcase", structure),
    class!(787, "doormat, welcome mat", covering),
    class!(2916, "umbrella stand", container),
    class!(2216, "shoe rack", furniture),
    class!(1343, "ladder", device),
    class!(2149, "scaffolding, staging", structure),
    class!(630, "crane", device),
    class!(319, "bulldozer, dozer", vehicle),
    class!(2796, "tractor", vehicle),
    class!(2822, "trailer", vehicle),
    class!(2830, "train, railroad train", vehicle),
    class!(2030, "railway, railroad, railroad track, railway line", way),
    class!(1920, "platform", structure),
    class!(2896, "tunnel", way),
    class!(949, "fire escape", structure),
    class!(3026, "water tower", structure),
    class!(47, "antenna, aerial, transmitting aerial", device),
    class!(2143, "satellite dish", device),
    class!(2462, "solar panel", device),
    class!(219, "billboard, hoarding", decoration),
    class!(336, "bus stop", structure),
    class!(2688, "telephone booth, phone booth, call box", structure),
    class!(647, "crosswalk, crossing, zebra crossing", way),
    class!(672, "curb, curbing, kerb", way),
    class!(1492, "manhole", structure),
    class!(1089, "grating, grate", structure),
    class!(808, "drain", device),
    class!(1101, "gravel, crushed rock", matter),
    class!(2445, "snow", matter),
    class!(1248, "ice, water ice", matter),
    class!(511, "cloud", matter),
    class!(2612, "sun", named),
    class!(1587, "moon", named),
    class!(195, "beach", land),
    class!(841, "dune, sand dune", land),
    class!(494, "cliff, drop, drop-off", land),
    class!(2927, "valley, vale", land),
    class!(1259, "island", land),
    class!(1949, "pond, pool", water),
    class!(2587, "stream, watercourse", water),
    class!(3044, "wave", water),
    class!(1396, "leaves, leaf, foliage", plant),
    class!(289, "branch", plant),
    class!(2886, "trunk, tree trunk, bole", plant),
    class!(366, "cactus", plant),
    class!(922, "fern", plant),
    class!(2968, "vine", plant),
];

/// Classes of parts (of objects, or of parts), most frequent first; see [`OBJECT_CLASSES`].
pub const PART_CLASSES: &[Class] = &[
    WHEEL,
    WINDOW,
    DOOR,
    class!(1188, "headlight, headlamp", part),
    class!(1428, "license plate, numberplate", part),
    class!(2663, "taillight, tail lamp, rear light, rear lamp", part),
    class!(3268, "windshield, windscreen", part),
    HANDLE,
    class!(1185, "head", body),
    class!(85, "arm", body),
    class!(1407, "leg", body),
    class!(2771, "torso", body),
    class!(821, "drawer", part),
    class!(1333, "knob", part),
    class!(125, "back", part),
    class!(2190, "seat cushion", part),
    class!(1767, "pane, pane of glass, window glass", part),
    class!(1630, "muntin, glazing bar", part),
    class!(2138, "sash, window sash", part),
    class!(1033, "frame", part),
    HINGE,
    class!(330, "bumper", part),
    class!(1566, "mirror, side mirror", part),
    class!(1157, "hand, manus, mitt, paw", body),
    class!(1010, "foot, human foot, pes", body),
    class!(882, "face", body),
    class!(1146, "hair", body),
    class!(1651, "neck, cervix", body),
    class!(2195, "shade, lampshade, lamp shade", part),
    class!(313, "bulb", part),
    class!(579, "cord", part),
    class!(1439, "lid", part),
    class!(2763, "top", part),
    class!(2252, "side", part),
    class!(66, "apron", part),
    class!(2604, "stretcher", part),
    class!(2068, "rim", part),
    class!(2738, "tire, tyre", part),
    class!(2487, "spoke, wheel spoke, radius", part),
    class!(1237, "hubcap", part),
    class!(1112, "grille, radiator grille", part),
    class!(915, "fender, wing", part),
    class!(2876, "trunk lid", part),
    class!(2112, "roof rack", part),
    class!(443, "chain", part),
    class!(1820, "pedal, treadle, foot pedal, foot lever", part),
    class!(2128, "saddle", part),
    class!(1181, "handlebar", part),
    class!(2164, "screen, crt screen", part),
    class!(1301, "keyboard key", part),
    class!(354, "button", part),
    class!(875, "eye", body),
    class!(1683, "nose", body),
    class!(1608, "mouth", body),
    class!(848, "ear", body),
    class!(2231, "shoulder", body),
    class!(2380, "skirt", part),
    class!(1418, "leg rest", part),
    class!(1190, "headrest", part),
    class!(104, "armrest", part),
    class!(706, "cushion, seat pad", part),
    class!(895, "faucet handle", part),
    class!(2504, "spout", part),
    class!(814, "drain, drainpipe, waste pipe", part),
    class!(545, "column, shaft", part),
    class!(395, "capital, chapiter, cap", part),
    class!(1929, "plinth", part),
    class!(588, "cornice", part),
    class!(1135, "gutter", part),
    class!(801, "downspout, downpipe", part),
    class!(794, "dormer, dormer window", part),
    class!(2554, "steeple, spire", part),
    class!(2247, "shutter, window shutter", part),
    class!(148, "balcony railing", part),
    class!(2847, "tread", part),
    class!(2078, "riser", part),
    class!(1619, "mullion", part),
    class!(1460, "lintel", part),
    class!(2302, "sill, windowsill", part),
    class!(389, "canopy, tent canopy", part),
    class!(1944, "pole, tent pole", part),
];
