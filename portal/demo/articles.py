"""Demo headlines written for this site (development content only)."""

ARTICLES = [
    {
        "section": "Bulletin headlines",
        "title": "Town library extends opening hours for the winter",
        "summary": "From December the central library stays open until nine on weekdays.",
        "body": [
            "The central library will stay open until 9 p.m. on weekdays from the first "
            "of December, the council announced on Monday.",
            "Staff said the reading room had been full most evenings since the autumn, "
            "and that students had asked for a warm, quiet place to study.",
            "The longer hours will be reviewed in March.",
        ],
        "tags": ["community", "libraries"],
        "featured": True,
        "days_ago": 1,
    },
    {
        "section": "Bulletin headlines",
        "title": "New cycle lane opens on the river road",
        "summary": "Two kilometres of protected lane now link the station and the old bridge.",
        "body": [
            "A protected cycle lane between the railway station and the old bridge opened "
            "on Saturday after four months of works.",
            "Cyclists counted on the first day outnumbered the forecast by a third.",
        ],
        "tags": ["transport", "community"],
        "days_ago": 3,
    },
    {
        "section": "Bulletin headlines",
        "title": "Harvest festival raises record sum for the food bank",
        "summary": "Stalls, a pie contest and a brass band brought in more than ever before.",
        "body": [
            "This year's harvest festival raised a record sum for the local food bank, "
            "organisers said.",
            "The pie contest was won, for the third year running, by a retired postman who "
            "refuses to share his recipe.",
        ],
        "tags": ["community", "events"],
        "days_ago": 9,
    },
    {
        "section": "Culture",
        "title": "Comedy night returns to the old cinema",
        "summary": "Local comedians test new material every last Friday of the month.",
        "body": [
            "The open-mic comedy night is back at the old cinema on the last Friday of "
            "every month.",
            "Newcomers get five minutes each; the audience votes for the joke of the night, "
            "which is then added to this site's collection.",
        ],
        "tags": ["events", "comedy"],
        "featured": True,
        "days_ago": 2,
    },
    {
        "section": "Culture",
        "title": "Choir seeks tenors, promises biscuits",
        "summary": "The community choir is short of tenors before its spring concert.",
        "body": [
            "The community choir has twenty sopranos, twelve altos, nine basses and one "
            "tenor, who says he is tired.",
            "Rehearsals are on Wednesdays. Biscuits are provided.",
        ],
        "tags": ["music", "community"],
        "days_ago": 15,
    },
    {
        "section": "Culture",
        "title": "书法展览在市博物馆开幕",
        "summary": "A calligraphy exhibition opens at the city museum (the title is Chinese).",
        "body": [
            "An exhibition of calligraphy by local artists opened at the city museum, with "
            "works from the last forty years.",
            "The exhibition runs until the end of January; entry is free.",
        ],
        "tags": ["exhibitions", "书法"],
        "days_ago": 20,
    },
    {
        "section": "Science and nature",
        "title": "Volunteers count a record number of owls",
        "summary": "The winter bird count found twice as many tawny owls as last year.",
        "body": [
            "Volunteers taking part in the winter bird count recorded forty-one tawny owls, "
            "twice last year's figure.",
            "The naturalists' society credits the nest boxes put up by schoolchildren.",
        ],
        "tags": ["nature", "community"],
        "days_ago": 5,
    },
    {
        "section": "Science and nature",
        "title": "Observatory open night for the meteor shower",
        "summary": "The hill-top observatory opens its doors for the Geminids.",
        "body": [
            "The observatory will open to the public for the Geminid meteor shower. "
            "Bring warm clothes and a flask.",
        ],
        "tags": ["events", "astronomy"],
        "days_ago": 40,
    },
    {
        "section": "Science and nature",
        "title": "Scheduled: results of the river clean-up survey",
        "summary": "A scheduled article: it appears on its own tomorrow.",
        "body": ["The survey of the river clean-up will be published here."],
        "tags": ["nature"],
        "days_ago": -1,
    },
    {
        "section": "Bulletin headlines",
        "title": "Draft: council budget explained",
        "summary": "A draft the editors are still working on; never public.",
        "body": ["Work in progress."],
        "tags": ["council"],
        "draft": True,
    },
]

SECTIONS = [
    ("Bulletin headlines", "News from the town and around it."),
    ("Culture", "Exhibitions, music, comedy and the people who make them."),
    ("Science and nature", "Birds, stars, rivers and the people who count them."),
]
