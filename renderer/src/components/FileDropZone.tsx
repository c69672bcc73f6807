import { useRef, useState, type ReactNode } from 'react';

interface FileDropZoneProps {
  /** The sentence in the zone, such as "Drop a CSV batch file here, or". */
  prompt: string;
  buttonText: string;
  /** The file picker's accepted types. */
  accept: string;
  /** The picker input's accessible name (tests and screen readers find it by this). */
  inputLabel: string;
  testId: string;
  className: string;
  /** Added while a file is dragged over the zone. */
  overClassName: string;
  buttonClassName: string;
  regionLabel?: string;
  onFile: (file: File) => void;
  children?: ReactNode;
}

/** A zone that takes one dropped file, or one picked with the button; the picker is cleared so the same file can be chosen again. */
export function FileDropZone(props: FileDropZoneProps) {
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  return (
    <section
      className={`${props.className}${over ? ` ${props.overClassName}` : ''}`}
      aria-label={props.regionLabel}
      data-testid={props.testId}
      onDragOver={(event) => {
        event.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(event) => {
        event.preventDefault();
        setOver(false);
        const file = event.dataTransfer.files[0];
        if (file !== undefined) props.onFile(file);
      }}
    >
      <p>{over ? 'Release to load the file.' : props.prompt}</p>
      <label className={props.buttonClassName}>
        {props.buttonText}
        <input
          ref={input}
          type="file"
          accept={props.accept}
          className="visually-hidden"
          aria-label={props.inputLabel}
          onChange={(event) => {
            const file = event.target.files?.[0];
            if (file !== undefined) props.onFile(file);
            if (input.current !== null) input.current.value = '';
          }}
        />
      </label>
      {props.children}
    </section>
  );
}
